package io.regionkv.testkit;

import java.util.Arrays;
import java.util.HashSet;

/**
 * The configurations the search has already explored: (set of linearized operations, model state). Reaching
 * one again cannot lead anywhere new, because the rest of the search depends on nothing else.
 *
 * <p>The set is hashed with a Zobrist hash that the search updates as it flips bits, so a lookup costs no
 * pass over the bitset unless the hash matches. Stored sets are kept compact: operations are numbered in
 * invocation order, and below the highest linearized operation almost every operation is linearized, so a set
 * is stored as that bound plus the few operations below it that are not (the ones still concurrent, and
 * pending ones left out). A bitset copy per state would cost a kilobyte on a 10,000-operation key.
 */
final class SearchMemo {

    /** Rough heap cost of one entry besides its holes: key object, HashMap node, table slot, empty array. */
    private static final long ENTRY_OVERHEAD_BYTES = 112;

    private final HashSet<Key> seen = new HashSet<>();
    private long bytes;

    /**
     * Records a configuration; true if it is new.
     *
     * @param bits the set of linearized operations
     * @param top one past the highest operation in {@code bits} (0 for the empty set)
     * @param count how many operations {@code bits} holds
     * @param hash the Zobrist hash of {@code bits}
     */
    boolean add(long[] bits, int top, int count, int state, long hash) {
        if (seen.contains(new Key(state, hash, top, bits, count, null))) {
            return false;
        }
        Key stored = new Key(state, hash, top, null, count, holes(bits, top, top - count));
        seen.add(stored);
        bytes += ENTRY_OVERHEAD_BYTES + 4L * stored.holes.length;
        return true;
    }

    int size() {
        return seen.size();
    }

    long bytes() {
        return bytes;
    }

    /** The {@code n} clear bits below {@code top}, ascending; found from the top down, where they gather. */
    private static int[] holes(long[] bits, int top, int n) {
        int[] holes = new int[n];
        int end = n;
        for (int w = (top - 1) >>> 6; end > 0; w--) {
            long clear = ~bits[w];
            if (w == top >>> 6) {
                clear &= (1L << (top & 63)) - 1;
            }
            int from = end - Long.bitCount(clear);
            for (int i = from; clear != 0; clear &= clear - 1) {
                holes[i++] = w * 64 + Long.numberOfTrailingZeros(clear);
            }
            end = from;
        }
        return holes;
    }

    /** A stored configuration, or a probe that refers to the search's live bitset instead of holes. */
    private static final class Key {
        final int state;
        final long hash;
        final int top;
        final long[] liveBits;
        final int count;
        final int[] holes;

        Key(int state, long hash, int top, long[] liveBits, int count, int[] holes) {
            this.state = state;
            this.hash = hash;
            this.top = top;
            this.liveBits = liveBits;
            this.count = count;
            this.holes = holes;
        }

        @Override
        public int hashCode() {
            long h = hash ^ (state * 0x9E3779B97F4A7C15L);
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.hash != hash || k.state != state || k.top != top || k.count != count) {
                return false;
            }
            if (liveBits == null && k.liveBits == null) {
                return Arrays.equals(holes, k.holes);
            }
            // Same top and same size: equal iff every hole of the stored one is clear in the live one.
            int[] stored = liveBits == null ? holes : k.holes;
            long[] live = liveBits == null ? k.liveBits : liveBits;
            for (int hole : stored) {
                if ((live[hole >>> 6] & (1L << (hole & 63))) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
