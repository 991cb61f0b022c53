package io.regionkv.engine.raftlog;

import io.regionkv.engine.CorruptedDataException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The raft logs of every region of a store in one {@link AppendLog}: each write is one record holding the
 * {@link LogOp}s of any number of regions, and an index in memory says where each region's entries and its
 * latest raft state lie. Opening replays the records, so the index is rebuilt from the log alone.
 *
 * <p>Space is reclaimed by whole segments. A region that keeps old entries (an idle one whose log GC has not
 * run) would pin its segment forever, so {@link #rewriteAndPurge} first appends the live entries and state
 * of every region that needs a segment older than the ones to keep, then deletes those segments. A
 * region's live log is bounded by log GC, so the rewrite is too.
 *
 * <p><b>Threads.</b> One owner writes, syncs and purges (the raft-log writer). Any thread reads. The index
 * is guarded by a read-write lock; reading an entry's bytes happens under the read lock too, so a purge
 * never deletes a segment under a reader that was just told where to look.
 */
public final class RaftLogEngine implements AutoCloseable {
    private final AppendLog log;
    private final Map<Long, RegionLog> regions = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** A rewrite record is closed once its entries reach this: well below AppendLog's payload bound. */
    private static final long REWRITE_RECORD_BYTES = 8L << 20;
    /** Entries at most this far apart in a segment are read together (entry headers lie between them). */
    private static final long READ_GAP_BYTES = 64;
    /** The most one read of adjacent entries takes. */
    private static final long MAX_READ_BYTES = 1L << 20;

    private RaftLogEngine(AppendLog log) {
        this.log = log;
    }

    /**
     * Opens the raft log in {@code dir} and rebuilds the index from it.
     *
     * @throws CorruptedDataException if the log is damaged other than in a torn tail, or replays to a log
     *     with a hole
     */
    public static RaftLogEngine open(Path dir, long segmentBytes) {
        Map<Long, RegionLog> replayed = new HashMap<>();
        AppendLog log = AppendLog.open(dir, segmentBytes, (position, payload) ->
                LogRecordCodec.decode(payload, new Indexer(replayed, position, true)));
        RaftLogEngine engine = new RaftLogEngine(log);
        replayed.forEach((region, regionLog) -> {
            if (!regionLog.isEmpty()) engine.regions.put(region, regionLog);
        });
        return engine;
    }

    // ---- write side (the owner) ------------------------------------------------------------------------

    /**
     * Appends {@code ops} as one record and updates the index; durable after the next {@link #sync}. The
     * ops are checked first: an append that would leave a hole refuses the whole batch and writes nothing.
     */
    public void write(List<LogOp> ops) {
        if (ops.isEmpty()) return;
        check(ops);
        LogRecordCodec.Encoded encoded = LogRecordCodec.encode(ops);
        RecordPosition position = log.append(encoded.payload());
        lock.writeLock().lock();
        try {
            Indexer indexer = new Indexer(regions, position, false);
            for (int i = 0; i < ops.size(); i++) {
                LogOp op = ops.get(i);
                if (op instanceof LogOp.Append a) {
                    indexer.append(a.region(), encoded.slots().get(i));
                } else if (op instanceof LogOp.State s) {
                    indexer.state(s.region(), s.state());
                } else if (op instanceof LogOp.Compact c) {
                    indexer.compact(c.region(), c.firstKept());
                } else if (op instanceof LogOp.Clear c) {
                    indexer.clear(c.region());
                } else if (op instanceof LogOp.Restart r) {
                    indexer.restart(r.region(), r.firstIndex());
                } else if (op instanceof LogOp.Fence f) {
                    indexer.fence(f.region(), f.lastLostEntry());
                }
            }
            regions.values().removeIf(RegionLog::isEmpty);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void check(List<LogOp> ops) {
        Map<Long, LogShape> shapes = new HashMap<>();
        lock.readLock().lock();
        try {
            for (LogOp op : ops) {
                LogShape shape = shapes.computeIfAbsent(op.region(), r -> {
                    RegionLog regionLog = regions.get(r);
                    return regionLog == null ? LogShape.EMPTY : regionLog.shape();
                });
                if (op instanceof LogOp.Append a) {
                    shape = shape.append(a.entries().get(0).getIndex(), a.entries().size());
                } else if (op instanceof LogOp.Compact c) {
                    shape = shape.compact(c.firstKept());
                } else if (op instanceof LogOp.Clear) {
                    shape = LogShape.EMPTY;
                } else if (op instanceof LogOp.Restart r) {
                    shape = LogShape.restartAt(r.firstIndex());
                }
                shapes.put(op.region(), shape);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("refused raft log batch: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Makes every write so far durable. */
    public void sync() {
        log.sync();
    }

    /**
     * Keeps the newest {@code keepSegments} segments and reclaims the rest: the live entries and state of
     * every region that still needs an older segment are appended again (one record, synced), then the
     * older segments are deleted. Answers how many regions were rewritten.
     */
    public int rewriteAndPurge(int keepSegments) {
        if (keepSegments < 1) throw new IllegalArgumentException("keep at least the current segment");
        long horizon = log.currentSegment() - keepSegments + 1;
        if (horizon <= log.firstSegment()) return 0;
        List<Long> pinning = new ArrayList<>();
        lock.readLock().lock();
        try {
            regions.forEach((region, regionLog) -> {
                if (regionLog.oldestSegment() < horizon) pinning.add(region);
            });
        } finally {
            lock.readLock().unlock();
        }
        // Each region's rewrite lies in one record (a crash keeps its old or its new copy, never half), and
        // records stay far below the payload bound by taking regions a few MiB at a time.
        List<LogOp> rewrite = new ArrayList<>();
        long rewriteBytes = 0;
        for (long region : pinning) {
            rewriteBytes += rewriteOps(region, rewrite);
            if (rewriteBytes >= REWRITE_RECORD_BYTES) {
                write(rewrite);
                rewrite = new ArrayList<>();
                rewriteBytes = 0;
            }
        }
        if (!rewrite.isEmpty()) write(rewrite);
        if (!pinning.isEmpty()) log.sync();
        purgeUnpinned();
        int rewritten = pinning.size();
        return rewritten;
    }

    /** Adds the ops that write {@code region}'s live log again; answers the bytes of its entries. */
    private long rewriteOps(long region, List<LogOp> into) {
        lock.readLock().lock();
        try {
            RegionLog regionLog = regions.get(region);
            if (regionLog == null) return 0;
            LogShape shape = regionLog.shape();
            long bytes = 0;
            into.add(new LogOp.Clear(region));
            if (shape.firstIndex() > 0) into.add(new LogOp.Restart(region, shape.firstIndex()));
            if (shape.size() > 0) {
                List<Entry> entries = readEntries(region, regionLog, shape.firstIndex(), shape.lastIndex() + 1, Long.MAX_VALUE);
                for (Entry e : entries) bytes += e.getSerializedSize();
                into.add(new LogOp.Append(region, entries));
            }
            if (regionLog.state() != null) into.add(new LogOp.State(region, regionLog.state()));
            if (regionLog.fence() != null) into.add(new LogOp.Fence(region, regionLog.fence()));
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Deletes the segments older than the oldest one a region still needs; nothing is rewritten. */
    public void purgeUnpinned() {
        lock.writeLock().lock();
        try {
            long oldestNeeded = log.currentSegment();
            for (RegionLog regionLog : regions.values()) {
                oldestNeeded = Math.min(oldestNeeded, regionLog.oldestSegment());
            }
            log.purgeBelow(oldestNeeded);
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- read side (any thread) ------------------------------------------------------------------------

    /** The region's latest raft state, if it has one. */
    public Optional<RaftLocalState> state(long region) {
        return Optional.ofNullable(ofRegion(region, RegionLog::state, null));
    }

    /** The last entry of a log the region's store lost (see {@link LogOp.Fence}), if there is one. */
    public Optional<RaftTruncatedState> fence(long region) {
        return Optional.ofNullable(ofRegion(region, RegionLog::fence, null));
    }

    /** The indexes of the entries the region holds (size 0 for none). */
    public LogShape shape(long region) {
        return ofRegion(region, RegionLog::shape, LogShape.EMPTY);
    }

    /** The regions that hold entries or a raft state. */
    public Set<Long> regions() {
        lock.readLock().lock();
        try {
            return new TreeSet<>(regions.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Entries {@code [lo, hi)} of the region, stopping before {@code maxBytes} of entry bytes (always at
     * least one entry).
     *
     * @throws CorruptedDataException if the log does not hold all of them: callers ask only for what the
     *     region's raft state says is there
     */
    public List<Entry> entries(long region, long lo, long hi, long maxBytes) {
        lock.readLock().lock();
        try {
            RegionLog regionLog = regions.get(region);
            if (regionLog == null) {
                if (lo == hi) return new ArrayList<>();
                throw new CorruptedDataException("region " + region + ": no raft log, entries [" + lo + ", " + hi + ") asked");
            }
            return readEntries(region, regionLog, lo, hi, maxBytes);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The term of entry {@code index} of the region, or empty if the log does not hold it. */
    public java.util.OptionalLong term(long region, long index) {
        RegionLog.Location at = locate(region, index);
        return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at.term());
    }

    /** Where entry {@code index} of the region lies, or null: for tests of this package. */
    RegionLog.Location locate(long region, long index) {
        return ofRegion(region, regionLog -> regionLog.locate(index), null);
    }

    /** {@code read} of the region's log under the read lock, or {@code absent} when the region has none. */
    private <T> T ofRegion(long region, java.util.function.Function<RegionLog, T> read, T absent) {
        lock.readLock().lock();
        try {
            RegionLog regionLog = regions.get(region);
            return regionLog == null ? absent : read.apply(regionLog);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Under the read lock. Entries that lie close together in one segment (those of one append lie a
     * 12-byte header apart) are read with one {@code pread}: committed entries are read back for every
     * apply, and one system call per entry was most of that cost.
     */
    private List<Entry> readEntries(long region, RegionLog regionLog, long lo, long hi, long maxBytes) {
        List<RegionLog.Location> wanted = new ArrayList<>((int) Math.min(hi - lo, 256));
        long bytes = 0;
        for (long index = lo; index < hi; index++) {
            RegionLog.Location at = regionLog.locate(index);
            if (at == null) {
                throw new CorruptedDataException("region " + region + ": raft log entry " + index + " is missing, log "
                        + regionLog.shape());
            }
            bytes += at.length();
            if (!wanted.isEmpty() && bytes > maxBytes) break;
            wanted.add(at);
        }
        List<Entry> out = new ArrayList<>(wanted.size());
        int first = 0;
        while (first < wanted.size()) {
            RegionLog.Location start = wanted.get(first);
            long end = start.offset() + start.length();
            int last = first;
            while (last + 1 < wanted.size()) {
                RegionLog.Location next = wanted.get(last + 1);
                if (next.segment() != start.segment() || next.offset() < end || next.offset() - end > READ_GAP_BYTES
                        || next.offset() + next.length() - start.offset() > MAX_READ_BYTES) {
                    break;
                }
                end = next.offset() + next.length();
                last++;
            }
            java.nio.ByteBuffer run = log.readAt(start.segment(), start.offset(), (int) (end - start.offset()));
            for (int k = first; k <= last; k++) {
                RegionLog.Location at = wanted.get(k);
                int from = (int) (at.offset() - start.offset());
                out.add(checked(region, at, LogRecordCodec.entry(run.duplicate().position(from).limit(from + at.length()),
                        region, at.index())));
            }
            first = last + 1;
        }
        return out;
    }

    private static Entry checked(long region, RegionLog.Location at, Entry entry) {
        if (entry.getIndex() != at.index() || entry.getTerm() != at.term()) {
            throw new CorruptedDataException("region " + region + ": raft log entry " + at.index() + " reads back as "
                    + entry.getIndex() + " of term " + entry.getTerm());
        }
        return entry;
    }


    /** Bytes of the segments on disk. */
    public long sizeBytes() {
        return log.sizeBytes();
    }

    public long firstSegment() {
        return log.firstSegment();
    }

    public long currentSegment() {
        return log.currentSegment();
    }

    /** Closes the files; what was not synced is as a crash would leave it. */
    @Override
    public void close() {
        log.close();
    }

    /**
     * Applies a record's ops to the index: while replaying at open, and after each write.
     *
     * <p>Replaying starts at the oldest segment left after purges, so the first ops it meets for a region
     * may continue a history whose start was deleted with its segment: a compaction that left the log empty
     * at some index, then an append further on. Purging keeps every segment that holds a live entry, so
     * what such an append lands on is dead; replay starts the region's log at that append instead of
     * calling it a hole. The region's raft state stays the judge: a live entry missing after replay is
     * reported when the region's storage loads it.
     */
    private static final class Indexer implements LogRecordCodec.OpVisitor {
        private final Map<Long, RegionLog> regions;
        private final RecordPosition position;
        private final boolean replaying;

        Indexer(Map<Long, RegionLog> regions, RecordPosition position, boolean replaying) {
            this.regions = regions;
            this.position = position;
            this.replaying = replaying;
        }

        private RegionLog regionLog(long region) {
            return regions.computeIfAbsent(region, r -> new RegionLog());
        }

        @Override
        public void append(long region, List<LogRecordCodec.EntrySlot> entries) {
            int count = entries.size();
            long[] terms = new long[count];
            long[] offsets = new long[count];
            int[] lengths = new int[count];
            for (int i = 0; i < count; i++) {
                LogRecordCodec.EntrySlot slot = entries.get(i);
                terms[i] = slot.term();
                offsets[i] = position.payloadOffset() + slot.offset();
                lengths[i] = slot.length();
            }
            RegionLog regionLog = regionLog(region);
            if (replaying && !regionLog.shape().canAppend(entries.get(0).index())) {
                regionLog.restart(0);
            }
            try {
                regionLog.append(entries.get(0).index(), terms, position.segment(), offsets, lengths, count);
            } catch (IllegalArgumentException e) {
                throw new CorruptedDataException("region " + region + " in raft log record " + position + ": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void state(long region, RaftLocalState state) {
            regionLog(region).setState(state, position.segment());
        }

        @Override
        public void compact(long region, long firstKept) {
            regionLog(region).compact(firstKept);
        }

        @Override
        public void clear(long region) {
            regionLog(region).clear();
        }

        @Override
        public void restart(long region, long firstIndex) {
            regionLog(region).restart(firstIndex);
        }

        @Override
        public void fence(long region, RaftTruncatedState lastLostEntry) {
            regionLog(region).setFence(lastLostEntry, position.segment());
        }
    }
}
