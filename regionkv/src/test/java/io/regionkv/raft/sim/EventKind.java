package io.regionkv.raft.sim;

/** What one step of a schedule does. */
enum EventKind {
    /** Deliver one message picked at random from the network (reordering), maybe losing or duplicating it. */
    DELIVER,
    /** A node takes its next Ready (sending what may go before persistence), or persists the one in flight. */
    READY,
    TICK,
    /** A node applies one batch of committed entries and reports it with advanceApply. */
    APPLY,
    PROPOSE,
    READ_INDEX,
    PARTITION,
    HEAL,
    CRASH,
    RESTART,
    /** Drive the next membership change: add a learner, promote it, or remove a member. */
    CONF_CHANGE,
    /** A node snapshots its state machine at its applied index and compacts its log up to there. */
    COMPACT,
    TRANSFER_LEADER
}
