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
 * <p>Why raft-log GC must wait for a sync (as TiKV's log GC waits for a flushed apply index): an OS crash or
 * power loss drops the page cache, and with it every kv commit since the last sync, while the raft log,
 * fsynced on every commit, keeps all it had. Recovering a region means replaying its log from the applied
 * index the kv data durably holds; so the log must still hold every entry above that index. Each region
 * therefore tracks its <em>synced applied index</em> (the kv writer tells each peer, after a sync, the
 * highest applied index it covered), and the entries a {@code CompactLog} truncated are deleted only once
 * the apply state that records the truncation is synced: until then they stay on disk below the truncated
 * index. Compaction itself need not wait (a rolled-back apply state rolls back its truncated index with it,
 * and the entries above that are still there). The kv writer syncs at least every {@code kv-sync-interval}
 * under any load, so deletion keeps up. With {@link #COMMIT} the synced applied index is the applied index.
 */
public enum KvSync {
    /** fsync on every commit: a store survives an OS crash or power loss on its own. */
    COMMIT,
    /**
     * Commit to the OS page cache ({@code MDB_NOSYNC | MDB_WRITEMAP}) and sync at least every
     * {@code kv-sync-interval}, when the writer has been idle for a while, and at close.
     * A process crash (SIGKILL included) loses nothing: the page cache outlives the process. An OS crash
     * or power loss before the next sync may leave the environment torn; the store then refuses to open it
     * ({@link UnsyncedDataAfterRebootException}).
     */
    DEFERRED
}
