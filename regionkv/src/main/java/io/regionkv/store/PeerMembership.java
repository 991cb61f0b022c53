package io.regionkv.store;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.ChangePeerRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.TransferLeaderRequest;
import io.regionkv.proto.RaftServerpb.RaftMessage;

/**
 * How a peer takes part in membership changes beyond applying them: the leader promoting caught-up
 * learners, members telling a removed peer that it was removed, and that peer recognising the news.
 * Pure functions over the peer's state; {@link PeerActor} acts on the answers.
 */
final class PeerMembership {

    private PeerMembership() {}

    /** An admin command for {@code region} at its current epoch, as the leader sends itself. */
    static RaftCmdRequest adminCommand(Region region, AdminRequest admin) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(region.getId()).setRegionEpoch(region.getRegionEpoch()))
                .setAdminRequest(admin).build();
    }

    static AdminRequest changePeer(ConfChangeType type, Peer peer) {
        return AdminRequest.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerRequest.newBuilder().setChangeType(type).setPeer(peer)).build();
    }

    static AdminRequest transferLeader(Peer to) {
        return AdminRequest.newBuilder().setCmdType(AdminCmdType.TransferLeader)
                .setTransferLeader(TransferLeaderRequest.newBuilder().setPeer(to)).build();
    }

    static boolean hasLearner(Region region) {
        for (Peer p : region.getPeersList()) {
            if (p.getRole() == PeerRole.Learner) return true;
        }
        return false;
    }

    static boolean isMember(Region region, long peerId) {
        for (Peer p : region.getPeersList()) {
            if (p.getId() == peerId) return true;
        }
        return false;
    }

    /**
     * The answer to {@code in} when its sender is a peer this region removed (it is not a member and its
     * membership is older than ours; peer ids are never reused), or null. Such a peer missed its own
     * removal, typically because the leader stopped talking to it the moment the removal applied, and now
     * campaigns; told so, it destroys itself ({@link #isOwnTombstone}).
     */
    static RaftMessage tombstoneFor(RaftMessage in, Region region, Peer self) {
        if (region.getPeersCount() == 0 || in.getIsTombstone()) return null;
        if (isMember(region, in.getFromPeer().getId())) return null;
        if (in.getRegionEpoch().getConfVer() >= region.getRegionEpoch().getConfVer()) return null;
        return RaftMessage.newBuilder().setRegionId(region.getId()).setFromPeer(self).setToPeer(in.getFromPeer())
                .setRegionEpoch(region.getRegionEpoch()).setStartKey(region.getStartKey()).setEndKey(region.getEndKey())
                .setIsTombstone(true)
                .setMessage(Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(self.getId())
                        .setTo(in.getFromPeer().getId()))
                .build();
    }

    /** Whether {@code in} tells this very peer that a newer membership of its region no longer holds it. */
    static boolean isOwnTombstone(RaftMessage in, Region region, Peer self) {
        return in.getIsTombstone() && in.getToPeer().getId() == self.getId()
                && in.getRegionEpoch().getConfVer() > region.getRegionEpoch().getConfVer();
    }
}
