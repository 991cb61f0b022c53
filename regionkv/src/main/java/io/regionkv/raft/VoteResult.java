package io.regionkv.raft;

/** Outcome of counting votes (or acknowledgements) against the voters of the group. */
enum VoteResult {
    WON,
    LOST,
    PENDING
}
