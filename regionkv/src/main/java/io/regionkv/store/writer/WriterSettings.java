package io.regionkv.store.writer;

/**
 * Bounds of one group commit, so that a flood of writes does not turn into one unbounded transaction and
 * fsync (which would hold every sender of the group for its whole duration).
 *
 * @param maxWritesPerCommit most writes folded into one transaction (default 1024)
 * @param maxBytesPerCommit most key and value bytes folded into one transaction (default 16 MiB); a single
 *     larger write still goes, alone
 */
public record WriterSettings(int maxWritesPerCommit, long maxBytesPerCommit) {

    public WriterSettings {
        if (maxWritesPerCommit <= 0) {
            throw new IllegalArgumentException("maxWritesPerCommit must be positive, got " + maxWritesPerCommit);
        }
        if (maxBytesPerCommit <= 0) {
            throw new IllegalArgumentException("maxBytesPerCommit must be positive, got " + maxBytesPerCommit);
        }
    }

    public static WriterSettings defaults() {
        return new WriterSettings(1024, 16L << 20);
    }
}
