package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.List;

/**
 * A scheduler decision about one region, carried out by its leader step by step: each region heartbeat
 * is answered with the first step not yet done ({@link #next}), until all are done or the operator times
 * out. Nothing is tracked on the leader's side, so a leader change or a lost answer costs only a
 * heartbeat interval.
 *
 * @param source which checker made it (replica-checker, balance-leader, balance-region), for logs and tests
 */
record Operator(long regionId, String source, List<OpStep> steps, long createdNanos) {

    Operator {
        steps = List.copyOf(steps);
    }

    /** The first step the region does not show done yet, or null when the operator is finished. */
    OpStep next(Region region, Peer leader) {
        for (OpStep s : steps) {
            if (!s.done(region, leader)) return s;
        }
        return null;
    }

    /** What the leader is told to do for {@code step}, or null when it has only to wait (a learner catching up). */
    static SchedulerReply.Operate answer(OpStep step, Region region) {
        if (step instanceof OpStep.AddPeer a) {
            if (peerOn(region, a.storeId()) != null) return null; // the learner is there: its leader promotes it
            Peer learner = Peer.newBuilder().setId(a.peerId()).setStoreId(a.storeId())
                    .setRole(io.regionkv.proto.Metapb.PeerRole.Learner).build();
            return new SchedulerReply.Operate(region.getId(), SchedulerReply.OperateKind.ADD_LEARNER, learner);
        }
        if (step instanceof OpStep.RemovePeer r) {
            return new SchedulerReply.Operate(region.getId(), SchedulerReply.OperateKind.REMOVE_PEER,
                    peerOn(region, r.storeId()));
        }
        OpStep.TransferLeader t = (OpStep.TransferLeader) step;
        Peer to = peerOn(region, t.storeId());
        return to == null ? null
                : new SchedulerReply.Operate(region.getId(), SchedulerReply.OperateKind.TRANSFER_LEADER, to);
    }

    static Peer peerOn(Region region, long storeId) {
        for (Peer p : region.getPeersList()) {
            if (p.getStoreId() == storeId) return p;
        }
        return null;
    }
}
