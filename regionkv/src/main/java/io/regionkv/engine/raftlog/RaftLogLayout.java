package io.regionkv.engine.raftlog;

/**
 * Where a store keeps its raft logs ({@code regionkv.engine.raft-log}). Both hold the same thing, written
 * as the same {@link LogOp}s; a store opened with the other layout's data moves it over first
 * ({@link RaftLogStores#open}).
 */
public enum RaftLogLayout {
    /** Entries and states as keys of an LMDB environment, {@code <data-dir>/raft} ({@link LmdbRaftLog}). */
    LMDB("raft"),
    /** One append-only log of numbered segment files for every region, {@code <data-dir>/raft-log} ({@link AppendRaftLog}). */
    APPEND("raft-log");

    private final String dirName;

    RaftLogLayout(String dirName) {
        this.dirName = dirName;
    }

    /** The directory under the data directory that holds this layout's files. */
    public String dirName() {
        return dirName;
    }

    /** The layout a setting names: {@code lmdb} or {@code append}. */
    public static RaftLogLayout parse(String setting) {
        return switch (setting.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "lmdb" -> LMDB;
            case "append" -> APPEND;
            default -> throw new IllegalArgumentException("raft-log must be lmdb or append, not '" + setting + "'");
        };
    }
}
