package io.regionkv.raft;

/**
 * Raft refused a proposal (or a read-index request) and nothing was appended: there is no known leader,
 * a leadership transfer is in progress, or this node is no longer a member. The caller may retry,
 * typically against another node. Carries no stack trace: it is an expected outcome, not a bug.
 */
public final class ProposalDroppedException extends RuntimeException {
    public ProposalDroppedException(String reason) {
        super("proposal dropped: " + reason, null, false, false);
    }
}
