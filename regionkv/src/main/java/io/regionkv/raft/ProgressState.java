package io.regionkv.raft;

/** How the leader replicates to one follower. */
public enum ProgressState {
    /** One append at a time until the leader knows where the follower's log matches. */
    PROBE,
    /** Optimistically stream appends, bounded by the in-flight window. */
    REPLICATE,
    /** A snapshot is on its way; appends wait until it is reported applied or failed. */
    SNAPSHOT
}
