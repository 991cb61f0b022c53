package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final long SEED = Long.getLong("regionkv.test.seed", System.nanoTime());

    static {
        System.out.println("BackoffTest seed " + SEED + " (replay: -Dregionkv.test.seed=" + SEED + ")");
    }

    private static Backoff backoff(long seed) {
        return new Backoff(Duration.ofMillis(20), Duration.ofSeconds(1), new Random(seed));
    }

    @Test
    void capDoublesFromBaseUpToMax() {
        Backoff b = backoff(SEED);
        assertEquals(Duration.ofMillis(20).toNanos(), b.cap(0));
        assertEquals(Duration.ofMillis(40).toNanos(), b.cap(1));
        assertEquals(Duration.ofMillis(640).toNanos(), b.cap(5));
        assertEquals(Duration.ofSeconds(1).toNanos(), b.cap(6));
        assertEquals(Duration.ofSeconds(1).toNanos(), b.cap(63), "no overflow on huge retry counts");
        assertEquals(Duration.ofSeconds(1).toNanos(), b.cap(Integer.MAX_VALUE));
    }

    @Test
    void delayStaysWithinHalfCapAndCapAndVaries() {
        Backoff b = backoff(SEED);
        for (int retry = 0; retry < 12; retry++) {
            long cap = b.cap(retry);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long d = b.delay(retry).toNanos();
                assertTrue(d >= cap / 2 && d <= cap, "retry " + retry + ": " + d + " outside [" + cap / 2 + ", " + cap + "]");
                seen.add(d);
            }
            assertTrue(seen.size() > 50, "jitter should spread delays, saw only " + seen.size() + " distinct values");
        }
    }

    @Test
    void sameSeedSameDelays() {
        Backoff a = backoff(SEED);
        Backoff b = backoff(SEED);
        for (int i = 0; i < 20; i++) {
            assertEquals(a.delay(i % 8), b.delay(i % 8));
        }
    }

    @Test
    void badArgumentsAreRefused() {
        Random r = new Random(SEED);
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), r));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), r));
        assertThrows(IllegalArgumentException.class, () -> backoff(SEED).delay(-1));
    }
}
