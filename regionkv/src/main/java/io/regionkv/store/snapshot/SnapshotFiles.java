package io.regionkv.store.snapshot;

import java.nio.file.Path;

/**
 * Where snapshot files live: {@code <dataDir>/snap}. A generated snapshot is {@code gen_R_T_I.snap} and a
 * received one {@code rcv_R_T_I.snap} (region, term, index), so a file is found from the raft snapshot
 * metadata alone and both kinds of one region can be told apart and collected by {@code GcSnap}.
 */
public final class SnapshotFiles {

    private SnapshotFiles() {}

    static Path dir(Path dataDir) {
        return dataDir.resolve("snap");
    }

    public static Path generated(Path dataDir, long regionId, long term, long index) {
        return dir(dataDir).resolve("gen_" + regionId + "_" + term + "_" + index + ".snap");
    }

    static Path received(Path dataDir, long regionId, long term, long index) {
        return dir(dataDir).resolve("rcv_" + regionId + "_" + term + "_" + index + ".snap");
    }

    /** The parts of a snapshot file name, or null when the name is not one of ours. */
    record Name(boolean generated, long regionId, long term, long index) {
        static Name parse(String fileName) {
            if (!fileName.endsWith(".snap")) return null;
            boolean gen = fileName.startsWith("gen_");
            if (!gen && !fileName.startsWith("rcv_")) return null;
            String[] parts = fileName.substring(4, fileName.length() - 5).split("_");
            if (parts.length != 3) return null;
            try {
                return new Name(gen, Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
