package io.regionkv.store;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.raft.ProgressState;
import io.regionkv.raft.ProgressStatus;
import java.util.Map;

/**
 * The leader's rules for a membership change, decided before anything reaches the log (pure logic, so
 * that the rules are tested without a cluster). Like TiKV with PD, every change is one step of one peer:
 *
 * <ul>
 *   <li>A new replica always joins as a learner, even when asked to join as a voter: a voter that holds
 *       nothing yet would count in the quorum at once, and with one of three stores slow the region
 *       would stop. The leader promotes it ({@link #learnerToPromote}) once it has caught up.
 *   <li>One change per region at a time: while a change is in the log and not applied, or a learner is
 *       still catching up (its addition is not finished before it is a voter), a second change is
 *       refused. The refusal is {@code ServerIsBusy} (errorpb has no "change pending" field yet): it
 *       tells the caller the request was not proposed and may be tried again later.
 *   <li>The leader cannot remove itself directly: it first hands leadership to the most caught-up
 *       other voter, and that leader carries out the removal when the caller retries there.
 * </ul>
 */
final class ConfChangeCheck {

    private ConfChangeCheck() {}

    /** What the leader does with a requested change. */
    sealed interface Decision {}

    /** Propose this change of this peer (the role already as the region will hold it). */
    record Propose(ConfChangeType type, Peer peer) implements Decision {}

    /** Do nothing and answer with this error. */
    record Refuse(Errorpb.Error error) implements Decision {}

    /** The leader is asked to remove itself: hand leadership to {@code transferee} first. */
    record TransferFirst(Peer transferee) implements Decision {}

    /**
     * @param progress         the leader's replication state by peer id (raft status)
     * @param confChangePending raft has a conf change in the log that is not applied yet
     */
    static Decision decide(Region region, long selfId, ConfChangeType type, Peer peer,
            Map<Long, ProgressStatus> progress, boolean confChangePending) {
        long regionId = region.getId();
        if (confChangePending) {
            return new Refuse(RegionErrors.serverIsBusy("region " + regionId + " has a membership change pending"));
        }
        if (peer.getId() == 0 || peer.getStoreId() == 0) {
            return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.MALFORMED_COMMAND, "a membership change names a peer by id and store"));
        }
        Peer existing = find(region, peer.getId());
        Peer learner = firstLearner(region);
        switch (type) {
            case AddNode, AddLearnerNode -> {
                if (existing != null) {
                    if (type == ConfChangeType.AddNode && existing.getRole() == PeerRole.Learner) {
                        return new Propose(ConfChangeType.AddNode, existing.toBuilder().setRole(PeerRole.Voter).build());
                    }
                    return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "peer " + peer.getId() + " is already a "
                            + existing.getRole() + " of region " + regionId));
                }
                for (Peer p : region.getPeersList()) {
                    if (p.getStoreId() == peer.getStoreId()) {
                        return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "store " + peer.getStoreId() + " already holds peer "
                                + p.getId() + " of region " + regionId));
                    }
                }
                if (learner != null) {
                    return new Refuse(RegionErrors.serverIsBusy("region " + regionId + " is still adding learner "
                            + learner.getId() + " on store " + learner.getStoreId()));
                }
                return new Propose(ConfChangeType.AddLearnerNode, peer.toBuilder().setRole(PeerRole.Learner).build());
            }
            case RemoveNode -> {
                if (existing == null) {
                    return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "peer " + peer.getId() + " is not a member of region " + regionId));
                }
                if (learner != null && learner.getId() != existing.getId()) {
                    return new Refuse(RegionErrors.serverIsBusy("region " + regionId + " is still adding learner "
                            + learner.getId() + " on store " + learner.getStoreId()));
                }
                if (existing.getRole() == PeerRole.Voter && voters(region) == 1) {
                    return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "peer " + peer.getId() + " is the last voter of region " + regionId));
                }
                if (existing.getId() == selfId) {
                    Peer to = bestOtherVoter(region, selfId, progress);
                    if (to == null) {
                        return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "region " + regionId + " has no other voter to lead it"));
                    }
                    return new TransferFirst(to);
                }
                return new Propose(ConfChangeType.RemoveNode, existing);
            }
            default -> {
                return new Refuse(RegionErrors.invalid(Errorpb.Invalid.Reason.MALFORMED_COMMAND, "unknown membership change " + type));
            }
        }
    }

    /**
     * The learner the leader should promote now, or null: one that is not waiting for a snapshot and whose
     * (known, non-zero) match index is within {@code maxLag} entries of the leader's last index,
     * so that as a voter it does not hold back commits.
     */
    static Peer learnerToPromote(Region region, Map<Long, ProgressStatus> progress, long lastIndex, long maxLag) {
        for (Peer p : region.getPeersList()) {
            if (p.getRole() != PeerRole.Learner) continue;
            ProgressStatus pr = progress.get(p.getId());
            // Not while a snapshot is on its way (its match says nothing yet); probing is fine once the
            // match itself is close: an idle region sends nothing that would move it to replicating.
            if (pr != null && pr.state() != ProgressState.SNAPSHOT && pr.match() > 0 && pr.match() + maxLag >= lastIndex) {
                return p;
            }
        }
        return null;
    }

    private static Peer bestOtherVoter(Region region, long selfId, Map<Long, ProgressStatus> progress) {
        Peer best = null;
        long bestMatch = -1;
        for (Peer p : region.getPeersList()) {
            if (p.getId() == selfId || p.getRole() != PeerRole.Voter) continue;
            ProgressStatus pr = progress.get(p.getId());
            long match = pr == null ? 0 : pr.match();
            if (match > bestMatch) {
                best = p;
                bestMatch = match;
            }
        }
        return best;
    }

    private static Peer find(Region region, long peerId) {
        for (Peer p : region.getPeersList()) {
            if (p.getId() == peerId) return p;
        }
        return null;
    }

    private static Peer firstLearner(Region region) {
        for (Peer p : region.getPeersList()) {
            if (p.getRole() == PeerRole.Learner) return p;
        }
        return null;
    }

    private static int voters(Region region) {
        int n = 0;
        for (Peer p : region.getPeersList()) {
            if (p.getRole() == PeerRole.Voter) n++;
        }
        return n;
    }
}
