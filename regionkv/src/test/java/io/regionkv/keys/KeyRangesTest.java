package io.regionkv.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyRangesTest {

    private static ByteString bytes(int length, int fill, int... tail) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        for (int i = 0; i < tail.length; i++) b[length - tail.length + i] = (byte) tail[i];
        return ByteString.copyFrom(b);
    }

    @Test
    void theSuccessorOfAShortKeyAppendsAZeroByte() {
        assertEquals(Optional.of(ByteString.copyFromUtf8("ab\0")), KeyRanges.successor(ByteString.copyFromUtf8("ab"), 511));
        assertEquals(Optional.of(ByteString.copyFrom(new byte[] {0})), KeyRanges.successor(ByteString.EMPTY, 511));
    }

    @Test
    void theSuccessorOfAFullLengthKeyIsShorterAndStillTheNextKey() {
        ByteString key = bytes(4, 'a', 'x', 0xff, 0xff);
        ByteString next = KeyRanges.successor(key, 4).orElseThrow();
        assertEquals(ByteString.copyFrom(new byte[] {'a', 'y'}), next);
        assertTrue(KeyRanges.compare(key, next) < 0);
        // A key between them would have to start with "ax" and be longer than 4 bytes; shorter ones are smaller.
        assertTrue(KeyRanges.compare(bytes(3, 'a', 'x', 0xff), key) < 0);
        assertEquals(Optional.empty(), KeyRanges.successor(bytes(3, 0xff), 3), "nothing comes after the last key");
    }
}
