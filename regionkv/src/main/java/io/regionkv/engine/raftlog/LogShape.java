package io.regionkv.engine.raftlog;

/**
 * Which indexes a region's log holds: {@code size} entries from {@code firstIndex}. An empty log with
 * {@code firstIndex} 0 takes an append at any index (a new or cleared region); an empty log with a first
 * index (everything compacted) takes only an append at that index, so no hole can open.
 *
 * <p>The rules of {@link LogOp} on index ranges, and nothing else: {@link RegionLog} follows them with its
 * entries, and {@link RaftLogEngine} checks a batch against them before anything reaches the disk.
 */
public record LogShape(long firstIndex, long size) {
    static final LogShape EMPTY = new LogShape(0, 0);

    /** The index of the last entry; {@code firstIndex - 1} when the log holds none. */
    public long lastIndex() {
        return firstIndex + size - 1;
    }

    boolean canAppend(long index) {
        if (size > 0) return index >= firstIndex && index <= lastIndex() + 1;
        return firstIndex == 0 || index == firstIndex;
    }

    /** The shape after appending {@code count} entries from {@code index} (which must be allowed). */
    LogShape append(long index, long count) {
        if (!canAppend(index)) {
            throw new IllegalArgumentException("an append at " + index + " to a log of " + this + " leaves a hole");
        }
        long first = size > 0 ? firstIndex : index;
        return new LogShape(first, index - first + count);
    }

    static LogShape restartAt(long firstIndex) {
        return new LogShape(firstIndex, 0);
    }

    LogShape compact(long firstKept) {
        if (firstKept <= firstIndex) return this;
        if (size == 0 || firstKept > lastIndex()) return new LogShape(firstKept, 0);
        return new LogShape(firstKept, size - (firstKept - firstIndex));
    }
}
