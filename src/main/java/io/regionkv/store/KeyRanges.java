package io.regionkv.store;

import com.google.protobuf.ByteString;

/** Key range helpers on user keys: regions are [start, end) with an empty end meaning +infinity. */
public final class KeyRanges {

    private KeyRanges() {}

    public static boolean inRange(ByteString key, ByteString start, ByteString end) {
        return compare(key, start) >= 0 && (end.isEmpty() || compare(key, end) < 0);
    }

    /** Unsigned lexicographic order, the order LMDB keeps keys in. */
    public static int compare(ByteString a, ByteString b) {
        return ByteString.unsignedLexicographicalComparator().compare(a, b);
    }

    /** UTF-8 text when printable, else hex: for error messages. */
    public static String printable(ByteString key) {
        if (key.isEmpty()) return "\"\"";
        if (key.isValidUtf8()) {
            String s = key.toStringUtf8();
            boolean printable = s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
            if (printable) return s.length() > 64 ? s.substring(0, 64) + "..." : s;
        }
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < Math.min(key.size(), 32); i++) sb.append(String.format("%02x", key.byteAt(i)));
        if (key.size() > 32) sb.append("...");
        return sb.toString();
    }
}
