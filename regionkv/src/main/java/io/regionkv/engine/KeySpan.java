package io.regionkv.engine;

import java.util.Objects;

/**
 * A key range {@code [start, end)}. An empty {@code start} means "from the first key", an empty {@code end}
 * "to the last key", like a region's range.
 */
public record KeySpan(byte[] start, byte[] end) {
    public static final KeySpan ALL = new KeySpan(new byte[0], new byte[0]);

    public KeySpan {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }
}
