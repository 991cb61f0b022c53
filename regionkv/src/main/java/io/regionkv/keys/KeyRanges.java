package io.regionkv.keys;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/**
 * User-key order and ranges, shared by the store and the client: keys compare as unsigned bytes (LMDB's
 * order, hence the order regions partition the key space), and a range is {@code [start, end)} where an
 * empty end key means +infinity.
 */
public final class KeyRanges {

    /** Unsigned lexicographic order. */
    public static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

    /** Longer keys are cut in messages: a 500-byte key helps nobody read a log line. */
    private static final int SHOW_LIMIT = 64;

    private KeyRanges() {}

    public static int compare(ByteString a, ByteString b) {
        return ORDER.compare(a, b);
    }

    /** {@code start <= key < end}, where an empty {@code end} has no upper bound. */
    public static boolean inRange(ByteString key, ByteString start, ByteString end) {
        return compare(key, start) >= 0 && (end.isEmpty() || compare(key, end) < 0);
    }

    /** Whether {@code [s1, e1)} and {@code [s2, e2)} share a key. */
    public static boolean overlaps(ByteString s1, ByteString e1, ByteString s2, ByteString e2) {
        boolean firstEndsBeforeSecond = !e1.isEmpty() && compare(e1, s2) <= 0;
        boolean secondEndsBeforeFirst = !e2.isEmpty() && compare(e2, s1) <= 0;
        return !firstEndsBeforeSecond && !secondEndsBeforeFirst;
    }

    /** The smaller of two exclusive end keys. */
    public static ByteString minEnd(ByteString a, ByteString b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return compare(a, b) <= 0 ? a : b;
    }

    /** Printable form of a key for error messages: quoted UTF-8 when it is clean text, hex otherwise. */
    /**
     * The smallest key after {@code key} among keys of at most {@code maxKeySize} bytes, or empty if there
     * is none (a key of only 0xff bytes at full length). Where a scan continues after {@code key}.
     */
    public static java.util.Optional<ByteString> successor(ByteString key, int maxKeySize) {
        if (key.size() < maxKeySize) {
            return java.util.Optional.of(key.concat(ByteString.copyFrom(new byte[] {0})));
        }
        // No longer key exists, so the next one differs at the last position that can still grow.
        byte[] b = key.substring(0, maxKeySize).toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return java.util.Optional.of(ByteString.copyFrom(b, 0, i + 1));
            }
        }
        return java.util.Optional.empty();
    }

    public static String printable(ByteString key) {
        if (key.size() > SHOW_LIMIT) {
            return printable(key.substring(0, SHOW_LIMIT)) + "...(" + key.size() + " bytes)";
        }
        if (key.isValidUtf8()) {
            String s = key.toStringUtf8();
            boolean clean = s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f);
            if (clean) return "'" + s + "'";
        }
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < key.size(); i++) {
            sb.append(String.format("%02x", key.byteAt(i) & 0xff));
        }
        return sb.toString();
    }
}
