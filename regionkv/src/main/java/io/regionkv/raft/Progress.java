package io.regionkv.raft;

/**
 * The leader's view of one peer's log: {@code match} is the highest index known to be replicated there,
 * {@code next} the next index to send. The state decides how aggressively to send (see
 * {@link ProgressState}).
 */
final class Progress {
    final long id;
    long match;
    long next;
    ProgressState state = ProgressState.PROBE;
    /** In SNAPSHOT state: the index of the snapshot being sent. */
    long pendingSnapshot;
    /** Heard from since the last check-quorum round; also gates sending snapshots to silent peers. */
    boolean recentActive;
    /** In PROBE state: an append is outstanding, wait for its answer (or a heartbeat response). */
    boolean msgAppFlowPaused;
    boolean isLearner;
    final Inflights inflights;

    Progress(long id, long match, long next, int maxInflight, boolean isLearner) {
        this.id = id;
        this.match = match;
        this.next = next;
        this.isLearner = isLearner;
        this.inflights = new Inflights(maxInflight);
    }

    /** Forgets everything learnt about the peer, as a new leader must. */
    void reset(long next) {
        resetState(ProgressState.PROBE);
        this.match = 0;
        this.next = next;
        this.recentActive = false;
    }

    private void resetState(ProgressState newState) {
        msgAppFlowPaused = false;
        pendingSnapshot = 0;
        state = newState;
        inflights.reset();
    }

    void becomeProbe() {
        // Coming back from a snapshot, the follower has at least the snapshot: probe right after it.
        if (state == ProgressState.SNAPSHOT) {
            long snapshotIndex = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, snapshotIndex + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** The peer acknowledged {@code n}; returns whether that raised {@code match}. */
    boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            msgAppFlowPaused = false;
        }
        if (next < n + 1) {
            next = n + 1;
        }
        return updated;
    }

    /** Entries up to {@code last} were sent optimistically. */
    void optimisticUpdate(long last) {
        next = last + 1;
    }

    /**
     * The peer rejected an append whose previous index was {@code rejected}; {@code matchHint} is the
     * highest index that may match. Returns false when the rejection is stale and was ignored.
     */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            // A rejection at or below match is an answer to an older message.
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        // In probe state only the answer to the outstanding probe (index next - 1) counts.
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        msgAppFlowPaused = false;
        return true;
    }

    /** Whether the leader must hold back appends to this peer for now. */
    boolean isPaused() {
        return switch (state) {
            case PROBE -> msgAppFlowPaused;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    ProgressStatus toStatus() {
        return new ProgressStatus(match, next, state, pendingSnapshot, recentActive, isPaused(), inflights.count(),
                isLearner);
    }

    @Override
    public String toString() {
        return "Progress{id=" + id + ", match=" + match + ", next=" + next + ", state=" + state
                + (isLearner ? ", learner" : "") + (pendingSnapshot != 0 ? ", pendingSnapshot=" + pendingSnapshot : "")
                + ", paused=" + isPaused() + ", inflight=" + inflights.count() + "}";
    }
}
