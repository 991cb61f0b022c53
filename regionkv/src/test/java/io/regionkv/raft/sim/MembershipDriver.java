package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.ConfState;
import java.util.Random;

/**
 * Plans membership changes one at a time, the way a placement driver would: add a fresh node as a
 * learner, promote it, or remove a member. A change is re-proposed (identically, so that duplicates are
 * harmless) until the most advanced replica has applied it; only then is the next one planned. Node ids
 * are never reused: a removed node's disk is gone, and a fresh node under an old id could vote twice.
 */
final class MembershipDriver {
    /** Proposals that go unanswered this long are proposed again. */
    private static final int REPROPOSE_AFTER_STEPS = 100;

    private final int maxNodeId;
    private final int maxMembers;
    private long nextFreshId;
    private ConfChange intent;
    private long lastProposedStep = Long.MIN_VALUE;
    private int completed;

    MembershipDriver(long firstFreshId, int maxNodeId, int maxMembers) {
        this.nextFreshId = firstFreshId;
        this.maxNodeId = maxNodeId;
        this.maxMembers = maxMembers;
    }

    int completed() {
        return completed;
    }

    /**
     * The change to propose now given the membership the most advanced replica has applied, or null when
     * nothing is to be proposed at this step.
     */
    ConfChange next(ConfState applied, long step, Random rnd) {
        if (intent != null && isDone(intent, applied)) {
            intent = null;
            completed++;
        }
        if (intent == null) {
            intent = plan(applied, rnd);
            if (intent == null) {
                return null;
            }
        } else if (step - lastProposedStep < REPROPOSE_AFTER_STEPS) {
            return null;
        }
        lastProposedStep = step;
        return intent;
    }

    private ConfChange plan(ConfState cs, Random rnd) {
        if (cs.getLearnersCount() > 0) {
            return change(ConfChangeType.AddNode, cs.getLearners(rnd.nextInt(cs.getLearnersCount())));
        }
        int members = cs.getVotersCount() + cs.getLearnersCount();
        boolean canAdd = members < maxMembers && nextFreshId <= maxNodeId;
        // Keep at least three voters so that a crash or two does not stop the group for long.
        boolean canRemove = cs.getVotersCount() > 3;
        if (canAdd && (!canRemove || rnd.nextBoolean())) {
            return change(ConfChangeType.AddLearnerNode, nextFreshId++);
        }
        if (canRemove) {
            return change(ConfChangeType.RemoveNode, cs.getVoters(rnd.nextInt(cs.getVotersCount())));
        }
        return null;
    }

    private static ConfChange change(ConfChangeType type, long node) {
        return ConfChange.newBuilder().setChangeType(type).setNodeId(node).build();
    }

    private static boolean isDone(ConfChange cc, ConfState cs) {
        long n = cc.getNodeId();
        return switch (cc.getChangeType()) {
            case AddLearnerNode -> cs.getLearnersList().contains(n) || cs.getVotersList().contains(n);
            case AddNode -> cs.getVotersList().contains(n);
            case RemoveNode -> !cs.getLearnersList().contains(n) && !cs.getVotersList().contains(n);
            default -> true;
        };
    }
}
