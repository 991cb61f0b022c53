package io.regionkv.raft;

/** The role a raft node plays in its group. */
public enum StateType {
    FOLLOWER,
    /** Asking for pre-votes without bumping its term, so a partitioned node cannot disrupt the group. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
