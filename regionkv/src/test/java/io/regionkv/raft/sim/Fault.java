package io.regionkv.raft.sim;

/**
 * A bug planted on purpose in the simulated application, to show that the simulation catches what it
 * is meant to catch. Real runs use {@link #NONE}.
 */
enum Fault {
    NONE,
    /** A restarted node has lost its persisted vote, and may vote twice in one term. */
    FORGET_VOTE_ON_RESTART,
    /** A node sends its acknowledgements (votes, append responses) before persisting what they promise. */
    ACK_BEFORE_PERSIST
}
