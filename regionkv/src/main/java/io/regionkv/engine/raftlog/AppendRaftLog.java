package io.regionkv.engine.raftlog;

import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.StorageFailedException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The raft logs in one append-only log ({@link RaftLogEngine}): a group commit is one record and one
 * fdatasync, whatever the number of regions it carries.
 *
 * <p><b>Space.</b> After each commit that started a new segment, segments no region needs any more are
 * deleted. Past {@link #PURGE_SEGMENTS} segments, the regions that still pin one of the older half (idle
 * regions whose log GC has not moved) have their live logs written again, and the old segments go. Active
 * regions compact their logs every few seconds (log GC, behind the kv sync), so they rarely need a rewrite.
 *
 * <p><b>A failed write or sync stops the log.</b> After an I/O error the kernel may have dropped the pages
 * it could not write and still report the next fsync as clean, so nothing written since the last good sync
 * can be trusted as durable. That commit and every later one fail with {@link StorageFailedException},
 * which the raft-log writer escalates: the node shuts down, and opening the log again replays what is
 * really on disk.
 */
public final class AppendRaftLog implements RaftLogStore {
    /** Segment size: large enough that rotation (a sync and a directory sync) is rare. */
    public static final long SEGMENT_BYTES = EngineConfig.DEFAULT_RAFT_LOG_SEGMENT_BYTES;
    /** More segments than this on disk start a rewrite of the regions that pin the older half. */
    static final int PURGE_SEGMENTS = 8;

    private final RaftLogEngine engine;
    private final Path dir;
    private final boolean syncOnCommit;
    private final long segmentBytes;
    private long commits;
    private long lastSegment;
    private StorageFailedException failed;

    private AppendRaftLog(RaftLogEngine engine, Path dir, boolean syncOnCommit, long segmentBytes) {
        this.engine = engine;
        this.dir = dir;
        this.syncOnCommit = syncOnCommit;
        this.segmentBytes = segmentBytes;
        this.lastSegment = engine.currentSegment();
    }

    /** Opens (creating if needed) the log in {@code dir}, replaying it. */
    public static AppendRaftLog open(Path dir, boolean syncOnCommit) {
        return open(dir, syncOnCommit, SEGMENT_BYTES);
    }

    /** With segments of {@code segmentBytes}: tests make them small to exercise rotation and purging. */
    public static AppendRaftLog open(Path dir, boolean syncOnCommit, long segmentBytes) {
        return new AppendRaftLog(RaftLogEngine.open(dir, segmentBytes), dir, syncOnCommit, segmentBytes);
    }

    @Override
    public RaftLogLayout layout() {
        return RaftLogLayout.APPEND;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public long commitAll(List<RaftLogBatch> batches) {
        if (failed != null) {
            throw new StorageFailedException("the raft log in " + dir, failed.getCause());
        }
        List<LogOp> ops;
        if (batches.size() == 1) {
            ops = batches.get(0).ops();
        } else {
            ops = new ArrayList<>();
            for (RaftLogBatch batch : batches) ops.addAll(batch.ops());
        }
        if (ops.isEmpty()) return commits;
        try {
            engine.write(ops);
            if (syncOnCommit) engine.sync();
            reclaimSpace();
        } catch (IllegalArgumentException refused) {
            throw refused; // a hole: refused before anything reached the disk, so the log goes on
        } catch (RuntimeException e) {
            failed = new StorageFailedException("the raft log in " + dir, e);
            throw failed;
        }
        return ++commits;
    }

    private void reclaimSpace() {
        long current = engine.currentSegment();
        if (current == lastSegment) return;
        lastSegment = current;
        if (current - engine.firstSegment() + 1 > PURGE_SEGMENTS) {
            engine.rewriteAndPurge(PURGE_SEGMENTS / 2);
        } else {
            engine.purgeUnpinned();
        }
    }

    @Override
    public RaftLocalState state(long region) {
        return engine.state(region).orElse(null);
    }

    @Override
    public RaftTruncatedState fence(long region) {
        return engine.fence(region).orElse(RaftTruncatedState.getDefaultInstance());
    }

    @Override
    public List<Entry> entries(long region, long lo, long hi, long maxBytes) {
        return engine.entries(region, lo, hi, maxBytes);
    }

    @Override
    public OptionalLong term(long region, long index) {
        return engine.term(region, index);
    }

    @Override
    public LogShape shape(long region) {
        return engine.shape(region);
    }

    @Override
    public Set<Long> regions() {
        return engine.regions();
    }

    /** No map bound: the file system's own room is what the store's storage guard checks. */
    @Override
    public String shortOfRoom(long reserve) {
        return null;
    }

    /** Bytes of the segments on disk. */
    public long sizeBytes() {
        return engine.sizeBytes();
    }

    /** Segments on disk. */
    public long segmentCount() {
        return engine.currentSegment() - engine.firstSegment() + 1;
    }

    @Override
    public void close() {
        if (failed == null) {
            try {
                engine.sync();
            } catch (RuntimeException ignored) {
                // closing: what was not synced is as a crash would leave it, which opening handles
            }
        }
        engine.close();
    }

    @Override
    public String toString() {
        return "raft log " + dir + " (" + segmentBytes / 1024 + " KiB segments)";
    }
}
