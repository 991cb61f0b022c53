package io.regionkv.raft.sim;

/** A Raft safety property (or a contract the core promises its application) was found broken. */
final class SafetyViolation extends AssertionError {

    /** Which property broke; tests of the checker assert on it. */
    enum Property {
        ELECTION_SAFETY,
        LEADER_APPEND_ONLY,
        LOG_MATCHING,
        LEADER_COMPLETENESS,
        STATE_MACHINE_SAFETY,
        /** A leader committed an entry of an earlier term by counting its replicas (Raft section 5.4.2). */
        LEADER_COMMIT_RULE,
        LINEARIZABLE_READ,
        /** Ordering promises of the Ready/apply cycle: commit never regresses, entries apply in order. */
        RAFT_CONTRACT
    }

    final Property property;

    SafetyViolation(Property property, String detail) {
        super(property + " violated: " + detail);
        this.property = property;
    }
}
