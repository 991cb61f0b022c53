package io.regionkv.engine;

import io.regionkv.engine.raftlog.RaftLogLayout;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a store's storage: its LMDB environments and its raft log.
 *
 * @param syncOnCommit fsync on every commit (default {@code true}), which is what makes an acknowledged
 *     write durable. {@code false} opens the environment with {@code MDB_NOSYNC}: a commit then survives a
 *     crash of the process (its pages are in the OS page cache) but not a power loss or kernel crash.
 *     Only for tests and benchmarks that measure something else.
 * @param maxValueSize the largest value accepted in a column family, in bytes (default 128 KiB). It is
 *     checked before LMDB sees the data. The bound comes from the transport: a value travels inside a
 *     raft append message, and Artery's frame is 256 KiB, so a value must leave room for the message
 *     around it. Raft and meta values are built by the store itself and are not bound by it.
 * @param initialMapSize the size of the memory map when the environment is opened (default 256 MiB).
 *     LMDB grows its file as pages are used, so a generous map costs address space, not disk. If the
 *     data file is already larger (the map grew before a restart), the file size is used instead.
 * @param maxMapSize the map is doubled whenever a commit finds it full, up to this bound (default
 *     1 TiB); a commit that would need more fails with {@link EngineFullException}.
 * @param maxReaders how many read views may be open at once (default 1024). Each open {@link ReadView}
 *     holds one of LMDB's reader slots; one more fails with LMDB's {@code ReadersFullException}.
 * @param writeMap open with {@code MDB_WRITEMAP} (default {@code false}): a commit writes its pages through
 *     the memory map and syncs them with {@code msync}, instead of {@code write} calls, an
 *     {@code fdatasync} and an {@code O_DSYNC} write of the meta page. Equally durable; whether it is
 *     faster depends on the disk (BENCHMARKS.md compares both). The costs: the data file is extended
 *     (sparsely) to the map size, and a wild write into a buffer of the map would corrupt the database
 *     (buffers of the map never leave the engine). Every process opening an environment must use the same
 *     setting. {@link KvSync#DEFERRED} turns it on for the kv environment whatever this says.
 * @param kvSync when the kv environment's commits reach the disk (default {@link KvSync#DEFERRED}); the raft
 *     environment always syncs every commit (unless {@code syncOnCommit} is off). See {@link KvSync}.
 * @param kvSyncIdleDelay with {@link KvSync#DEFERRED}, how long the kv writer must have been idle before it
 *     syncs (default 1 s). Under steady load the kernel's own write-back keeps the dirty pages in check.
 * @param kvSyncInterval with {@link KvSync#DEFERRED}, the longest a commit stays unsynced under any load
 *     (default 30 s): the kv writer syncs at least this often while it has unsynced commits, so that every
 *     region's synced applied index, and with it raft-log GC, keeps moving. Busy regions sync sooner: log
 *     GC asks for a sync once a region's undeleted entries pass a bound (see {@code LogGc}).
 * @param raftLog where the raft logs live ({@link RaftLogLayout}; default {@link RaftLogLayout#APPEND}): the
 *     raft environment, or one append-only log for all regions. The LMDB settings above apply to the raft
 *     environment only in the first case.
 * @param raftLogSegmentBytes with {@link RaftLogLayout#APPEND}, the size at which the append log starts a new
 *     segment file (default 64 MiB). Space comes back a whole segment at a time, so smaller segments hold
 *     less dead log; every segment is replayed at open whatever its size.
 * @param acceptUnsyncedAfterReboot open a kv environment that had unsynced commits when the OS went down
 *     (default {@code false}: refuse with {@link UnsyncedDataAfterRebootException}). For recovering after
 *     every replica lost power at once; the environment may be torn.
 */
public record EngineConfig(
        boolean syncOnCommit, int maxValueSize, long initialMapSize, long maxMapSize, int maxReaders,
        boolean writeMap, KvSync kvSync, Duration kvSyncIdleDelay, boolean acceptUnsyncedAfterReboot,
        Duration kvSyncInterval, RaftLogLayout raftLog, long raftLogSegmentBytes) {

    public static final int DEFAULT_MAX_VALUE_SIZE = 128 * 1024;
    public static final long DEFAULT_INITIAL_MAP_SIZE = 256L << 20;
    public static final long DEFAULT_MAX_MAP_SIZE = 1L << 40;
    public static final int DEFAULT_MAX_READERS = 1024;
    public static final Duration DEFAULT_KV_SYNC_IDLE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_KV_SYNC_INTERVAL = Duration.ofSeconds(30);
    public static final RaftLogLayout DEFAULT_RAFT_LOG = RaftLogLayout.APPEND;
    public static final long DEFAULT_RAFT_LOG_SEGMENT_BYTES = 64L << 20;
    /** Below this a segment would hold a handful of group commits; tests use it to rotate often. */
    public static final long MIN_RAFT_LOG_SEGMENT_BYTES = 64 * 1024;

    /** LMDB rounds a map size up to whole pages anyway; below a few pages it cannot hold its own metadata. */
    static final long MIN_MAP_SIZE = 64 * 1024;

    public EngineConfig {
        if (maxValueSize <= 0) {
            throw new IllegalArgumentException("maxValueSize must be positive, got " + maxValueSize);
        }
        if (initialMapSize < MIN_MAP_SIZE) {
            throw new IllegalArgumentException(
                    "initialMapSize must be at least " + MIN_MAP_SIZE + " bytes, got " + initialMapSize);
        }
        if (maxMapSize < initialMapSize) {
            throw new IllegalArgumentException(
                    "maxMapSize " + maxMapSize + " is below initialMapSize " + initialMapSize);
        }
        if (maxReaders <= 0) {
            throw new IllegalArgumentException("maxReaders must be positive, got " + maxReaders);
        }
        Objects.requireNonNull(kvSync, "kvSync");
        Objects.requireNonNull(kvSyncIdleDelay, "kvSyncIdleDelay");
        if (kvSyncIdleDelay.isNegative() || kvSyncIdleDelay.isZero()) {
            throw new IllegalArgumentException("kvSyncIdleDelay must be positive, got " + kvSyncIdleDelay);
        }
        Objects.requireNonNull(raftLog, "raftLog");
        if (raftLogSegmentBytes < MIN_RAFT_LOG_SEGMENT_BYTES) {
            throw new IllegalArgumentException("raftLogSegmentBytes must be at least " + MIN_RAFT_LOG_SEGMENT_BYTES
                    + ", got " + raftLogSegmentBytes);
        }
        Objects.requireNonNull(kvSyncInterval, "kvSyncInterval");
        if (kvSyncInterval.isNegative() || kvSyncInterval.isZero()) {
            throw new IllegalArgumentException("kvSyncInterval must be positive, got " + kvSyncInterval);
        }
    }

    /** Durable defaults for a production store. */
    public static EngineConfig defaults() {
        return new EngineConfig(true, DEFAULT_MAX_VALUE_SIZE, DEFAULT_INITIAL_MAP_SIZE, DEFAULT_MAX_MAP_SIZE,
                DEFAULT_MAX_READERS, false, KvSync.DEFERRED, DEFAULT_KV_SYNC_IDLE_DELAY, false,
                DEFAULT_KV_SYNC_INTERVAL, DEFAULT_RAFT_LOG, DEFAULT_RAFT_LOG_SEGMENT_BYTES);
    }

    public EngineConfig withSyncOnCommit(boolean sync) {
        return new EngineConfig(sync, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withMaxValueSize(int size) {
        return new EngineConfig(syncOnCommit, size, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withInitialMapSize(long size) {
        return new EngineConfig(syncOnCommit, maxValueSize, size, Math.max(size, maxMapSize), maxReaders, writeMap,
                kvSync, kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withMaxMapSize(long size) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, size, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withWriteMap(boolean enabled) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, enabled, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withMaxReaders(int readers) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, readers, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withKvSync(KvSync sync) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, sync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withKvSyncIdleDelay(Duration delay) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                delay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withKvSyncInterval(Duration interval) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, interval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withRaftLog(RaftLogLayout layout) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, layout, raftLogSegmentBytes);
    }

    public EngineConfig withAcceptUnsyncedAfterReboot(boolean accept) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, accept, kvSyncInterval, raftLog, raftLogSegmentBytes);
    }

    public EngineConfig withRaftLogSegmentBytes(long bytes) {
        return new EngineConfig(syncOnCommit, maxValueSize, initialMapSize, maxMapSize, maxReaders, writeMap, kvSync,
                kvSyncIdleDelay, acceptUnsyncedAfterReboot, kvSyncInterval, raftLog, bytes);
    }
}
