package io.regionkv.raft;

/**
 * The last indexes of the append messages a leader has sent to one follower and not yet seen
 * acknowledged: a ring buffer whose capacity is the flow-control window.
 */
final class Inflights {
    private final long[] buffer;
    private int start;
    private int count;

    Inflights(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0");
        }
        buffer = new long[capacity];
    }

    /** Records an append whose last entry is {@code index}; indexes must be added in increasing order. */
    void add(long index) {
        if (full()) {
            throw new IllegalStateException("cannot add into a full inflights window");
        }
        int slot = start + count;
        if (slot >= buffer.length) {
            slot -= buffer.length;
        }
        buffer[slot] = index;
        count++;
    }

    /** Frees every inflight append whose last index is at most {@code to}: the follower has it. */
    void freeLE(long to) {
        if (count == 0 || to < buffer[start]) {
            return;
        }
        int idx = start;
        int freed = 0;
        while (freed < count && buffer[idx] <= to) {
            freed++;
            idx++;
            if (idx == buffer.length) {
                idx = 0;
            }
        }
        count -= freed;
        start = count == 0 ? 0 : idx;
    }

    void freeFirstOne() {
        if (count > 0) {
            freeLE(buffer[start]);
        }
    }

    boolean full() {
        return count == buffer.length;
    }

    int count() {
        return count;
    }

    int capacity() {
        return buffer.length;
    }

    void reset() {
        count = 0;
        start = 0;
    }
}
