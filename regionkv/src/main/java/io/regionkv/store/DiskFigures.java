package io.regionkv.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A store's disk as the store heartbeat reports it: the file system's size and usable space, and the size
 * of the two LMDB data files. Measured with stat calls, so off the store actor's thread (on the io
 * dispatcher): a slow or hung file system must not stall the router of every region.
 */
record DiskFigures(long capacity, long available, long used) {

    /** What could be read; zero for a figure the file system would not give (the counts matter more). */
    static DiskFigures measure(Path dataDir) {
        long capacity = 0;
        long available = 0;
        long used = 0;
        try {
            FileStore fs = Files.getFileStore(dataDir);
            capacity = fs.getTotalSpace();
            available = fs.getUsableSpace();
            for (String env : new String[] {"raft", "kv"}) {
                Path file = dataDir.resolve(env).resolve("data.mdb");
                if (Files.exists(file)) used += Files.size(file);
            }
        } catch (IOException e) {
            // Report what could be read.
        }
        return new DiskFigures(capacity, available, used);
    }
}
