package io.regionkv.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter: retry {@code n} waits a random time in {@code [cap/2, cap]} where
 * {@code cap = min(max, base * 2^n)}. The random half spreads out clients that failed together (for
 * example all clients of a region whose leader just died) so that they do not retry in lockstep; the
 * fixed half keeps the delay growing, so that a store that said "busy" really gets relief.
 *
 * <p>Thread-safe: {@link Random} is. Inject a seeded one to make delays repeatable.
 */
final class Backoff {

    private final long baseNanos;
    private final long maxNanos;
    private final Random random;

    Backoff(Duration base, Duration max, Random random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= max, got base " + base + ", max " + max);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before retry number {@code retry} (0 for the first retry). */
    Duration delay(int retry) {
        if (retry < 0) throw new IllegalArgumentException("retry must be >= 0, was " + retry);
        long cap = cap(retry);
        long half = cap / 2;
        return Duration.ofNanos(cap - half + random.nextLong(half + 1));
    }

    /** {@code min(max, base * 2^retry)} without overflow. */
    long cap(int retry) {
        if (retry >= 62 || baseNanos > (maxNanos >> retry)) {
            return maxNanos;
        }
        return Math.min(maxNanos, baseNanos << retry);
    }
}
