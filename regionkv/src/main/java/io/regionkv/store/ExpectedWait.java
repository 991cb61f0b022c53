package io.regionkv.store;

/**
 * Admission by expected wait, for one queue of a peer (its writes, or its reads). A count bound alone
 * (FlowControlSettings) says how many commands a peer holds, not how long the last one will wait: on a
 * slow disk 4,096 writes can be several seconds of work, so a command admitted at the door waited out its
 * deadline and ended "outcome unknown". This estimates the queue's service rate from what recently left it
 * and refuses a command whose expected wait (queue length / rate) is longer than it can afford, at once,
 * with a backoff hint of how much too long the queue is.
 *
 * <p>The rate is measured over windows of at least {@code windowNanos}. A window where the queue held at
 * its start more commands than left it during the window measured the service, not the arrivals
 * (everything that left was already waiting, and the queue never ran dry): it updates the estimate (a
 * moving average). Any other window
 * left the queue empty part of the time, so it is only a lower bound and can only raise the estimate.
 * Until a first window has been measured, nothing is refused by this rule.
 *
 * <p>Not thread-safe: owned by the peer, fed from its thread. Time is passed in (nanoTime values), so
 * tests drive it with a fake clock.
 */
final class ExpectedWait {

    /** Weight of the newest window in the moving average: a few windows follow a changed disk speed. */
    private static final double NEW_WEIGHT = 0.3;

    private final long windowNanos;
    private final long maxWaitNanos;
    private final int minQueued;

    /** Commands that left the queue per nanosecond; 0 while unknown. */
    private double ratePerNano;
    private long windowStartNanos;
    private long leftAtWindowStart;
    private int queuedAtWindowStart;
    private boolean started;

    /**
     * @param windowNanos shortest measuring window
     * @param maxWaitNanos longest expected wait a command is admitted to, however far its deadline
     * @param minQueued below this many queued commands nothing is refused by this rule: a shallow queue is
     *     served in few batches whatever the measured rate (a batching peer's rate grows with its queue, so a
     *     rate measured on a shallow queue underestimates a deep one)
     */
    ExpectedWait(long windowNanos, long maxWaitNanos, int minQueued) {
        if (windowNanos <= 0 || maxWaitNanos <= 0 || minQueued < 0) {
            throw new IllegalArgumentException("window and max wait must be > 0, min queued >= 0");
        }
        this.windowNanos = windowNanos;
        this.maxWaitNanos = maxWaitNanos;
        this.minQueued = minQueued;
    }

    /**
     * Records the queue's state: {@code leftTotal} commands have left it since the peer started (served,
     * failed or expired: each makes room alike), {@code queued} wait in it now. Call it often (every
     * admission and every tick); a window closes on the first call past its length.
     */
    void observe(long nowNanos, long leftTotal, int queued) {
        if (!started) {
            started = true;
            startWindow(nowNanos, leftTotal, queued);
            return;
        }
        long elapsed = nowNanos - windowStartNanos;
        if (elapsed < windowNanos) return;
        long left = leftTotal - leftAtWindowStart;
        double measured = (double) left / elapsed;
        if (left > 0 && queuedAtWindowStart > left) {
            ratePerNano = ratePerNano == 0 ? measured : NEW_WEIGHT * measured + (1 - NEW_WEIGHT) * ratePerNano;
        } else if (measured > ratePerNano) {
            ratePerNano = measured;
        }
        startWindow(nowNanos, leftTotal, queued);
    }

    private void startWindow(long nowNanos, long leftTotal, int queued) {
        windowStartNanos = nowNanos;
        leftAtWindowStart = leftTotal;
        queuedAtWindowStart = queued;
    }

    /** How long a command joining behind {@code queued} others is expected to wait, or -1 while unknown. */
    long waitNanos(int queued) {
        if (ratePerNano == 0) return -1;
        return (long) Math.min(Long.MAX_VALUE / 2, (queued + 1) / ratePerNano);
    }

    /**
     * 0 to admit a command that would join behind {@code queued} others and must be answered by
     * {@code deadlineNanos}; otherwise how long its sender should wait before trying again (at least 1 ns):
     * the time for the queue to shrink to what it could afford. It may wait at most half of what is left
     * before its deadline (the other half covers the hops to and from the peer and the apply) and at most
     * the max wait.
     */
    long refuseFor(long nowNanos, int queued, long deadlineNanos) {
        if (queued < minQueued) return 0;
        long wait = waitNanos(queued);
        if (wait < 0) return 0;
        long affordable = Math.min(maxWaitNanos, Math.max(0, (deadlineNanos - nowNanos) / 2));
        return wait <= affordable ? 0 : Math.max(1, wait - affordable);
    }
}
