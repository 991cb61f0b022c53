package io.regionkv.raft;

/** An immutable copy of the leader's replication state for one peer, as shown by {@link RawNode#status()}. */
public record ProgressStatus(
        long match,
        long next,
        ProgressState state,
        long pendingSnapshot,
        boolean recentActive,
        boolean paused,
        int inflight,
        boolean learner) {}
