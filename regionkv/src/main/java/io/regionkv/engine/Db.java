package io.regionkv.engine;

/**
 * The named LMDB databases and the environment each belongs to. Each column family is its own
 * database, so user keys are stored as they are: the database is the namespace, and no prefix eats into
 * LMDB's 511-byte key limit.
 */
public enum Db {
    /** Raft log entries and raft local states, keyed by {@link Keys#raftLogKey} and {@link Keys#raftStateKey}. */
    RAFT(EngineKind.RAFT, "raft", false),
    /** Column family {@code default}: values (raw API, and large Percolator values). */
    DEFAULT(EngineKind.KV, "default", true),
    /** Column family {@code lock}: Percolator locks. */
    LOCK(EngineKind.KV, "lock", true),
    /** Column family {@code write}: Percolator commit records. */
    WRITE(EngineKind.KV, "write", true),
    /** Apply state, region local state and store identity, keyed by {@link Keys}. */
    META(EngineKind.KV, "meta", false),
    /**
     * Column family {@code sys}: the cluster's own replicated state (the scheduler's id and timestamp
     * high-water marks), written through raft like user data so that it survives any one node and moves
     * with snapshots, but refused to clients (see {@link #isClientAddressable()}). Last, so that the
     * ordinals of the others (snapshot files record them) do not move.
     */
    SYS(EngineKind.KV, "sys", true);

    /** {@code values()} copies the array on every call, and a command's column family is looked up per put. */
    private static final Db[] ALL = values();

    private final EngineKind engine;
    private final String dbName;
    private final boolean columnFamily;

    Db(EngineKind engine, String dbName, boolean columnFamily) {
        this.engine = engine;
        this.dbName = dbName;
        this.columnFamily = columnFamily;
    }

    public EngineKind engine() {
        return engine;
    }

    /** The LMDB database name. */
    public String dbName() {
        return dbName;
    }

    /** User-data databases; only their values are bound by {@link EngineConfig#maxValueSize()}. */
    public boolean isColumnFamily() {
        return columnFamily;
    }

    /**
     * The column family a command names, or empty when no command may address it. The one place that decides
     * which databases a request from the wire may read or write (the store checks every command against it
     * before routing it); the empty name is {@code default}. {@code sys} is among them because the
     * scheduler's marks reach the store through the same door ({@code SystemKv}); the public client API
     * refuses it, so applications cannot write there by mistake.
     */
    public static java.util.Optional<Db> commandColumnFamily(String name) {
        String n = name.isEmpty() ? DEFAULT.dbName : name;
        for (Db db : ALL) {
            if (db.columnFamily && db.dbName.equals(n)) {
                return java.util.Optional.of(db);
            }
        }
        return java.util.Optional.empty();
    }

    /** Column family by its name ({@code default}, {@code lock}, {@code write}). */
    public static Db columnFamily(String name) {
        for (Db db : ALL) {
            if (db.columnFamily && db.dbName.equals(name)) {
                return db;
            }
        }
        throw new IllegalArgumentException("unknown column family '" + name + "'");
    }
}
