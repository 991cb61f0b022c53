package io.regionkv.scheduler;

/**
 * The timestamp oracle (PD's TSO): timestamps of wall-clock milliseconds plus a logical counter, strictly
 * increasing, never at or above the durable physical mark. The mark is saved a window ahead of the clock,
 * so a successor (which starts at the mark) issues only later timestamps even if its clock is behind.
 * Pure logic; {@link SchedulerActor} does the writing and the clock.
 */
final class TimestampOracle {

    /** Logical values per millisecond; past it the physical part moves on by one ms. */
    static final long MAX_LOGICAL = 1L << SchedulerReply.Timestamp.LOGICAL_BITS;

    private final long windowMs;
    private long physical;
    private long logical;
    private long durableMark;

    /** @param loadedMark the mark a previous instance saved (ms; 0 if none): start at or after it. */
    TimestampOracle(long loadedMark, long windowMs) {
        if (windowMs < 1) throw new IllegalArgumentException("tso window must be >= 1 ms, was " + windowMs);
        this.windowMs = windowMs;
        // Every earlier timestamp had physical < loadedMark, so (loadedMark, 0) is already later than all.
        this.physical = loadedMark;
        this.logical = -1;
        this.durableMark = loadedMark;
    }

    /** {@code count} timestamps at {@code nowMs}, or null when they would reach the durable mark. */
    SchedulerReply.Timestamp tryNext(long nowMs, int count) {
        if (count < 1 || count >= MAX_LOGICAL) throw new IllegalArgumentException("bad timestamp count " + count);
        long p = physical;
        long l = logical;
        if (nowMs > p) {
            p = nowMs;
            l = -1;
        }
        if (l + count >= MAX_LOGICAL) {
            p++;
            l = -1;
        }
        if (p >= durableMark) return null;
        physical = p;
        logical = l + count;
        return new SchedulerReply.Timestamp(physical, logical, count);
    }

    /** The mark to save now: a window ahead of both the clock and what was issued. */
    long markFor(long nowMs) {
        return Math.max(nowMs, physical + 1) + windowMs;
    }

    /** Whether the clock is within a third of a window of the mark: save the next one before it is hit. */
    boolean lowWater(long nowMs) {
        return durableMark - Math.max(nowMs, physical) < windowMs / 3 + 1;
    }

    void markSaved(long mark) {
        durableMark = Math.max(durableMark, mark);
    }
}
