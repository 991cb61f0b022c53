package io.regionkv.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on the client operations the gRPC API of one node has started and not yet seen answered,
 * across all connections. The per-connection call limit alone does not bound them (many connections, and
 * a batch call starts one operation per key); past this bound a call is refused at once with
 * {@code RESOURCE_EXHAUSTED} rather than queued, so that an overloaded node sheds work instead of
 * building an ever longer backlog of deadlines that will be missed anyway.
 */
final class InFlightLimit {

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    InFlightLimit(int max) {
        if (max < 1) throw new IllegalArgumentException("the limit must be at least 1, was " + max);
        this.max = max;
    }

    /** Takes {@code n} places if all are free; false (and nothing taken) otherwise. */
    boolean tryAcquire(int n) {
        while (true) {
            int now = inFlight.get();
            if (n > max - now) return false;
            if (inFlight.compareAndSet(now, now + n)) return true;
        }
    }

    void release(int n) {
        inFlight.addAndGet(-n);
    }

    int inFlight() {
        return inFlight.get();
    }

    int max() {
        return max;
    }
}
