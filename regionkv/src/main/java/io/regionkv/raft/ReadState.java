package io.regionkv.raft;

import java.util.Arrays;

/**
 * The answer to a ReadIndex request: once the application has applied up to {@code index}, it may
 * serve the read identified by {@code requestCtx} linearizably.
 */
public record ReadState(long index, byte[] requestCtx) {

    // Records compare arrays by identity; a read is identified by the content of its context.
    @Override
    public boolean equals(Object o) {
        return o instanceof ReadState r && r.index == index && Arrays.equals(r.requestCtx, requestCtx);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Arrays.hashCode(requestCtx);
    }

    @Override
    public String toString() {
        return "ReadState[index=" + index + ", requestCtx=" + Arrays.toString(requestCtx) + "]";
    }
}
