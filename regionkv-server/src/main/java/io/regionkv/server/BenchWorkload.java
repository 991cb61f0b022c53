package io.regionkv.server;

import com.google.protobuf.ByteString;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The data {@code regionkv bench} reads and writes: key number {@code i} is the 16 bytes {@code k} and
 * {@code i} in 15 decimal digits (so that key order is number order), values are random bytes of a fixed
 * size. A handful of distinct values are reused so that making them costs nothing per operation.
 */
final class BenchWorkload {

    static final int KEY_BYTES = 16;
    private static final int DISTINCT_VALUES = 64;

    private final BenchKv api;
    private final ByteString[] values = new ByteString[DISTINCT_VALUES];

    BenchWorkload(BenchKv api, int valueSize, long seed) {
        this.api = api;
        Random random = new Random(seed);
        for (int i = 0; i < values.length; i++) {
            byte[] v = new byte[valueSize];
            random.nextBytes(v);
            values[i] = ByteString.copyFrom(v);
        }
    }

    static ByteString key(int i) {
        if (i < 0) throw new IllegalArgumentException("key number must be >= 0, was " + i);
        byte[] k = new byte[KEY_BYTES];
        k[0] = 'k';
        long n = i;
        for (int pos = KEY_BYTES - 1; pos > 0; pos--) {
            k[pos] = (byte) ('0' + n % 10);
            n /= 10;
        }
        return ByteString.copyFrom(k);
    }

    CompletionStage<Void> put(int key) {
        return api.put(key(key), values[ThreadLocalRandom.current().nextInt(values.length)]);
    }

    CompletionStage<?> get(int key) {
        return api.get(key(key));
    }
}
