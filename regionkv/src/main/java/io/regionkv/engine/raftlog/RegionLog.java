package io.regionkv.engine.raftlog;

import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.util.Arrays;

/**
 * One region's part of the raft log in memory: its latest raft state, and for each entry it holds, the
 * entry's term and where its bytes lie (segment, offset in the file, length). The indexes it holds follow
 * {@link LogShape}.
 *
 * <p>Segments never decrease along the log: an entry is rewritten only with everything after it (raft's
 * conflicting tail) or with the whole log (a rewrite before purging), so the first entry lies in the oldest
 * segment the entries need. Not thread-safe: {@link RaftLogEngine} guards it.
 */
final class RegionLog {
    private RaftLocalState state;
    private long stateSegment;
    private RaftTruncatedState fence;
    private long fenceSegment;
    private LogShape shape = LogShape.EMPTY;
    /** Slot of the first entry in the arrays below. */
    private int head;
    private long[] terms = new long[16];
    private long[] segments = new long[16];
    private long[] offsets = new long[16];
    private int[] lengths = new int[16];

    /** A located entry, as {@link #locate} answers it. */
    record Location(long index, long term, long segment, long offset, int length) {}

    LogShape shape() {
        return shape;
    }

    /**
     * Nothing worth keeping: no state, no entries, and no index the next append must start at (a log
     * compacted past its end keeps that index, so that no hole can open).
     */
    boolean isEmpty() {
        return shape.equals(LogShape.EMPTY) && state == null && fence == null;
    }

    RaftLocalState state() {
        return state;
    }

    void setState(RaftLocalState state, long segment) {
        this.state = state;
        this.stateSegment = segment;
    }

    RaftTruncatedState fence() {
        return fence;
    }

    void setFence(RaftTruncatedState fence, long segment) {
        this.fence = fence;
        this.fenceSegment = segment;
    }

    /** Appends {@code count} entries from {@code index}, replacing any at or after it; all in {@code segment}. */
    void append(long index, long[] newTerms, long segment, long[] newOffsets, int[] newLengths, int count) {
        LogShape next = shape.append(index, count);
        if (shape.size() == 0) head = 0;
        int kept = (int) (index - next.firstIndex());
        ensureCapacity(kept + count);
        for (int i = 0; i < count; i++) {
            int at = head + kept + i;
            terms[at] = newTerms[i];
            segments[at] = segment;
            offsets[at] = newOffsets[i];
            lengths[at] = newLengths[i];
        }
        shape = next;
    }

    void compact(long firstKept) {
        LogShape next = shape.compact(firstKept);
        head = next.size() == 0 ? 0 : head + (int) (shape.size() - next.size());
        shape = next;
    }

    /** The entries are gone and the next append must be at {@code firstIndex} (0: anywhere); the state stays. */
    void restart(long firstIndex) {
        shape = firstIndex == 0 ? LogShape.EMPTY : LogShape.restartAt(firstIndex);
        head = 0;
    }

    /** The log and state are gone; the next append may start anywhere. The fence stays. */
    void clear() {
        state = null;
        stateSegment = 0;
        shape = LogShape.EMPTY;
        head = 0;
    }

    /** Where entry {@code index} lies, or null if the log does not hold it. */
    Location locate(long index) {
        if (shape.size() == 0 || index < shape.firstIndex() || index > shape.lastIndex()) return null;
        int at = head + (int) (index - shape.firstIndex());
        return new Location(index, terms[at], segments[at], offsets[at], lengths[at]);
    }

    /** The oldest segment this region needs, for its entries, state or fence; {@code Long.MAX_VALUE} for none. */
    long oldestSegment() {
        long oldest = state != null ? stateSegment : Long.MAX_VALUE;
        if (fence != null) oldest = Math.min(oldest, fenceSegment);
        return shape.size() > 0 ? Math.min(oldest, segments[head]) : oldest;
    }

    /** Room for {@code needed} entries from {@code head}: slides the live entries down, and grows if that is not enough. */
    private void ensureCapacity(int needed) {
        if (head + needed <= terms.length) return;
        int live = (int) shape.size();
        System.arraycopy(terms, head, terms, 0, live);
        System.arraycopy(segments, head, segments, 0, live);
        System.arraycopy(offsets, head, offsets, 0, live);
        System.arraycopy(lengths, head, lengths, 0, live);
        head = 0;
        if (needed > terms.length) {
            int capacity = Math.max(needed, terms.length * 2);
            terms = Arrays.copyOf(terms, capacity);
            segments = Arrays.copyOf(segments, capacity);
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
    }
}
