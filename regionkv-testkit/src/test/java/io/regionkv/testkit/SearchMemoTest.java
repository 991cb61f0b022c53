package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The memo must tell sets apart exactly, not by hash: these tests hand it colliding hashes on purpose, which the
 * search's 64-bit Zobrist hashes make too rare to meet otherwise.
 */
class SearchMemoTest {

    private static long[] bits(int size, int... set) {
        long[] bits = new long[(size + 63) >>> 6];
        for (int i : set) {
            bits[i >>> 6] |= 1L << (i & 63);
        }
        return bits;
    }

    /** Adds with the top and count the search would pass. */
    private static boolean add(SearchMemo memo, long[] bits, int state, long hash) {
        int top = 0;
        int count = 0;
        for (int i = 0; i < bits.length * 64; i++) {
            if ((bits[i >>> 6] & (1L << (i & 63))) != 0) {
                top = i + 1;
                count++;
            }
        }
        return memo.add(bits, top, count, state, hash);
    }

    @Test
    void sameSetAndStateIsSeenOnlyOnce() {
        SearchMemo memo = new SearchMemo();
        assertTrue(add(memo, bits(200, 0, 1, 2, 130), 3, 42));
        assertFalse(add(memo, bits(200, 0, 1, 2, 130), 3, 42));
        assertTrue(add(memo, bits(200, 0, 1, 2, 130), 4, 42), "another state is another configuration");
        assertEquals(2, memo.size());
        assertTrue(memo.bytes() > 0);
    }

    @Test
    void collidingHashesOfDifferentSetsStayDistinct() {
        SearchMemo memo = new SearchMemo();
        assertTrue(add(memo, bits(200, 0, 1, 2), 0, 7));
        assertFalse(add(memo, bits(200, 2, 1, 0), 0, 7), "same set listed in another order");
        assertTrue(add(memo, bits(200, 0, 1, 3), 0, 7), "same top, other hole");
        assertTrue(add(memo, bits(200, 0, 1), 0, 7), "lower top");
        assertTrue(add(memo, bits(200, 0, 1, 2, 150), 0, 7), "higher top, holes across words");
        assertTrue(add(memo, bits(200, 1, 2), 0, 7), "hole at zero");
        assertTrue(add(memo, bits(200), 0, 7), "empty set");
        assertFalse(add(memo, bits(200), 0, 7));
        assertTrue(add(memo, bits(200, 63, 64), 0, 7), "word boundary");
        assertTrue(add(memo, bits(200, 64), 0, 7));
        assertFalse(add(memo, bits(200, 63, 64), 0, 7));
    }

    @Test
    void randomSetsUnderOneHashAgreeWithExactComparison() {
        long seed = Seeds.seed("randomSetsUnderOneHashAgreeWithExactComparison");
        SplittableRandom random = new SplittableRandom(seed);
        SearchMemo memo = new SearchMemo();
        java.util.Set<String> exact = new java.util.HashSet<>();
        for (int round = 0; round < 2_000; round++) {
            long[] set = new long[3];
            int top = random.nextInt(192);
            for (int i = 0; i < top; i++) {
                // Dense below a frontier with a few holes, like the search's sets.
                if (random.nextInt(top - i + 1) > 2) {
                    set[i >>> 6] |= 1L << (i & 63);
                }
            }
            int state = random.nextInt(2);
            boolean isNew = exact.add(java.util.Arrays.toString(set) + "/" + state);
            assertEquals(isNew, add(memo, set, state, 99), "round " + round);
        }
    }
}
