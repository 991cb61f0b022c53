package io.regionkv.store.writer;

import java.time.Duration;

/**
 * Bounds of one group commit, so that a flood of writes does not turn into one unbounded transaction and
 * fsync (which would hold every sender of the group for its whole duration), and how long a busy writer
 * waits to fill one.
 *
 * @param maxWritesPerCommit most writes folded into one transaction (default 1024)
 * @param maxBytesPerCommit most key and value bytes folded into one transaction (default 16 MiB); a single
 *     larger write still goes, alone
 * @param groupWait how long a writer in a busy streak waits for more writes when fewer are waiting than its
 *     last commit carried (see {@code GroupCommitWriter#onFlush}); zero (the default) never waits
 */
public record WriterSettings(int maxWritesPerCommit, long maxBytesPerCommit, Duration groupWait) {

    public WriterSettings {
        if (maxWritesPerCommit <= 0) {
            throw new IllegalArgumentException("maxWritesPerCommit must be positive, got " + maxWritesPerCommit);
        }
        if (maxBytesPerCommit <= 0) {
            throw new IllegalArgumentException("maxBytesPerCommit must be positive, got " + maxBytesPerCommit);
        }
        if (groupWait.isNegative() || groupWait.compareTo(MAX_GROUP_WAIT) > 0) {
            throw new IllegalArgumentException("groupWait must be in [0, " + MAX_GROUP_WAIT + "], got " + groupWait);
        }
    }

    /** The writer's thread sleeps through the wait: far longer would hold every sender of the group. */
    static final Duration MAX_GROUP_WAIT = Duration.ofSeconds(1);

    public WriterSettings(int maxWritesPerCommit, long maxBytesPerCommit) {
        this(maxWritesPerCommit, maxBytesPerCommit, Duration.ZERO);
    }

    public static WriterSettings defaults() {
        return new WriterSettings(1024, 16L << 20);
    }

    public WriterSettings withGroupWait(Duration wait) {
        return new WriterSettings(maxWritesPerCommit, maxBytesPerCommit, wait);
    }
}
