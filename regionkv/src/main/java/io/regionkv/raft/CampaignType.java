package io.regionkv.raft;

/** Why a node starts an election. */
enum CampaignType {
    /** A pre-vote round that does not bump the term. */
    PRE_ELECTION,
    /** A normal election. */
    ELECTION,
    /** Asked to by the leader (MsgTimeoutNow): skips pre-vote and overrides followers' leader lease. */
    TRANSFER
}
