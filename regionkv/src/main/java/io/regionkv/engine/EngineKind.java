package io.regionkv.engine;

/**
 * The two LMDB environments of a store. They are separate so that the raft log can be fsynced on its
 * own schedule and so that a large apply transaction never holds up the log (LMDB allows one writer per
 * environment).
 */
public enum EngineKind {
    /** Raft log entries and each region's {@code RaftLocalState}. Lives in {@code <dataDir>/raft}. */
    RAFT("raft"),
    /** User data per column family plus the apply, region and store metadata. Lives in {@code <dataDir>/kv}. */
    KV("kv");

    private final String dirName;

    EngineKind(String dirName) {
        this.dirName = dirName;
    }

    /** Name of the sub-directory of the data directory that holds this environment. */
    public String dirName() {
        return dirName;
    }
}
