package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;

/**
 * One step of an {@link Operator}, judged done from the region as its leader reports it. Each step is one
 * membership change or one leader transfer, so that the region's own one-change-at-a-time rule holds.
 */
sealed interface OpStep {

    /** Whether the region, as reported, shows this step carried out. */
    boolean done(Region region, Peer leader);

    /** Add a replica on {@code storeId} with peer id {@code peerId}; done once it is a voter (promoted). */
    record AddPeer(long storeId, long peerId) implements OpStep {
        @Override
        public boolean done(Region region, Peer leader) {
            Peer p = Operator.peerOn(region, storeId);
            return p != null && p.getRole() == PeerRole.Voter;
        }
    }

    /** Remove the region's replica on {@code storeId}. */
    record RemovePeer(long storeId) implements OpStep {
        @Override
        public boolean done(Region region, Peer leader) {
            return Operator.peerOn(region, storeId) == null;
        }
    }

    /** Move leadership to the replica on {@code storeId}. */
    record TransferLeader(long storeId) implements OpStep {
        @Override
        public boolean done(Region region, Peer leader) {
            return leader != null && leader.getStoreId() == storeId;
        }
    }
}
