package io.regionkv.engine;

/**
 * When the kv environment's commits reach the disk. The raft environment always fsyncs every commit: a
 * vote or an acknowledged append must survive anything, or Raft is not safe.
 *
 * <p>Applied data need not be synced for an acknowledged write to survive: it is already fsynced in the
 * raft log on a quorum before it is acknowledged. TiKV does not sync its kv engine either. What an unsynced
 * LMDB commit risks differs from an unsynced RocksDB write, though, and that is why {@link #DEFERRED} comes
 * with {@link UnsyncedMarker}: see there.
 *
 * <p>Why raft-log GC need not wait for a sync (TiKV's log GC waits for a flushed apply index): unsynced kv
 * commits are lost only by an OS crash or power loss, and after one the store does not open its kv data
 * at all unless an operator accepts the risk. So the log never has to replay what a sync did not cover.
 */
public enum KvSync {
    /** fsync on every commit: a store survives an OS crash or power loss on its own. */
    COMMIT,
    /**
     * Commit to the OS page cache ({@code MDB_NOSYNC | MDB_WRITEMAP}) and sync when the writer has been idle
     * for a while, and at close. A process crash (SIGKILL included) loses nothing: the page cache outlives
     * the process. An OS crash or power loss before the next sync may leave the environment torn; the store
     * then refuses to open it ({@link UnsyncedDataAfterRebootException}).
     */
    DEFERRED
}
