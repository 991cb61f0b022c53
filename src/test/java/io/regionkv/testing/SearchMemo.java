package io.regionkv.testing;

import java.util.Arrays;
import java.util.HashSet;

/**
 * The configurations the search has already explored: (set of linearized operations, model state). Reaching
 * one again cannot lead anywhere new, because the rest of the search depends on nothing else.
 *
 * <p>The set is hashed with a Zobrist hash that the search updates as it flips bits, so a lookup costs no
 * pass over the bitset unless the hash matches. Stored sets are kept compact: below the highest linearized
 * operation almost every operation is linearized, so a set is stored as that bound plus the few operations
 * below it that are not (the ones still concurrent, and pending ones left out). A full bitset copy per
 * state would cost a kilobyte on a 10,000-operation key.
 */
final class SearchMemo {

    /** Rough heap cost of one entry besides its holes: key object, HashMap node, table slot, empty array. */
    private static final long ENTRY_OVERHEAD_BYTES = 112;

    private final HashSet<Key> seen = new HashSet<>();
    private long bytes;

    /** Records ({@code bits}, {@code state}); {@code hash} is the Zobrist hash of {@code bits}. True if new. */
    boolean add(long[] bits, int state, long hash) {
        Key probe = Key.probe(bits, state, hash);
        if (seen.contains(probe)) {
            return false;
        }
        Key stored = Key.compact(bits, state, hash);
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

    private static final class Key {
        final int state;
        final long hash;
        /** Probe only: the live bitset of the search. */
        final long[] full;
        /** Stored only: one past the highest set bit, and the clear bits below it, ascending. */
        final int top;
        final int[] holes;

        private Key(int state, long hash, long[] full, int top, int[] holes) {
            this.state = state;
            this.hash = hash;
            this.full = full;
            this.top = top;
            this.holes = holes;
        }

        static Key probe(long[] bits, int state, long hash) {
            return new Key(state, hash, bits, -1, null);
        }

        static Key compact(long[] bits, int state, long hash) {
            int top = top(bits);
            int[] holes = new int[top - countSetBelow(bits, top)];
            int n = 0;
            for (int w = 0; w < (top + 63) >>> 6; w++) {
                long clear = ~bits[w];
                if (w == top >>> 6) {
                    clear &= (1L << (top & 63)) - 1;
                }
                for (; clear != 0; clear &= clear - 1) {
                    holes[n++] = w * 64 + Long.numberOfTrailingZeros(clear);
                }
            }
            return new Key(state, hash, null, top, holes);
        }

        private static int top(long[] bits) {
            for (int w = bits.length - 1; w >= 0; w--) {
                if (bits[w] != 0) {
                    return w * 64 + 64 - Long.numberOfLeadingZeros(bits[w]);
                }
            }
            return 0;
        }

        private static int countSetBelow(long[] bits, int top) {
            int count = 0;
            for (int w = 0; w < (top + 63) >>> 6; w++) {
                count += Long.bitCount(bits[w]);
            }
            return count;
        }

        @Override
        public int hashCode() {
            long h = hash ^ (state * 0x9E3779B97F4A7C15L);
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.hash != hash || k.state != state) {
                return false;
            }
            if (full == null && k.full == null) {
                return top == k.top && Arrays.equals(holes, k.holes);
            }
            Key probe = full != null ? this : k;
            Key stored = full != null ? k : this;
            return stored.matches(probe.full);
        }

        private boolean matches(long[] bits) {
            if (top(bits) != top || countSetBelow(bits, top) != top - holes.length) {
                return false;
            }
            for (int hole : holes) {
                if ((bits[hole >>> 6] & (1L << (hole & 63))) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
