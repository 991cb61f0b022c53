package io.regionkv.raft;

/** How a leader confirms that it may serve a linearizable read at its commit index. */
public enum ReadOnlyOption {
    /** Confirm leadership with a heartbeat round acknowledged by a quorum before answering. */
    SAFE,
    /**
     * Trust the leader lease (no heartbeat round). Only safe when clocks drift within bounds; requires
     * check-quorum so that a leader which lost its quorum steps down within an election timeout.
     */
    LEASE_BASED
}
