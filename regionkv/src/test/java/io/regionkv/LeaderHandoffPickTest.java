package io.regionkv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.raft.ProgressState;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.StateType;
import io.regionkv.store.PeerStatus;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which follower a store shutting down hands a region to ({@link LeaderHandoff#pick}). */
class LeaderHandoffPickTest {

    private static final Peer SELF = peer(1, PeerRole.Voter);

    private static Peer peer(long id, PeerRole role) {
        return Peer.newBuilder().setId(id).setStoreId(id).setRole(role).build();
    }

    private static ProgressStatus progress(long match, boolean active, boolean learner) {
        return new ProgressStatus(match, match + 1, ProgressState.REPLICATE, 0, active, false, 0, learner);
    }

    private static PeerStatus leader(Map<Long, ProgressStatus> progress, Peer... others) {
        Region.Builder r = Region.newBuilder().setId(7).addPeers(SELF);
        for (Peer p : others) r.addPeers(p);
        return new PeerStatus(1, r.build(), SELF, StateType.LEADER, SELF, 3, 100, 100, 1, 100, 100, progress, 0, 0, io.regionkv.store.SleepState.OFF);
    }

    private static Optional<Long> pick(PeerStatus p, Long previous) {
        return LeaderHandoff.pick(p, previous).map(Peer::getId);
    }

    @Test
    void theMostCaughtUpActiveVoterIsChosen() {
        PeerStatus p = leader(Map.of(1L, progress(100, true, false), 2L, progress(100, true, true),
                3L, progress(100, false, false), 4L, progress(100, true, false), 5L, progress(90, true, false)),
                peer(2, PeerRole.Learner), peer(3, PeerRole.Voter), peer(4, PeerRole.Voter), peer(5, PeerRole.Voter));
        assertEquals(Optional.of(4L), pick(p, null), "2 is a learner, 3 silent, 5 behind");
    }

    @Test
    void aTieGoesToTheLowerIdAndAChoiceUnderWayIsKept() {
        PeerStatus p = leader(Map.of(1L, progress(100, true, false), 2L, progress(80, true, false),
                3L, progress(100, true, false), 4L, progress(100, true, false)),
                peer(2, PeerRole.Voter), peer(3, PeerRole.Voter), peer(4, PeerRole.Voter));
        assertEquals(Optional.of(3L), pick(p, null));
        assertEquals(Optional.of(2L), pick(p, 2L), "the transfer to 2 is under way: not aborted for 3");
    }

    @Test
    void aPreviousChoiceThatFellSilentIsReplaced() {
        PeerStatus p = leader(Map.of(1L, progress(100, true, false), 2L, progress(100, false, false),
                3L, progress(50, true, false)), peer(2, PeerRole.Voter), peer(3, PeerRole.Voter));
        assertEquals(Optional.of(3L), pick(p, 2L));
    }

    @Test
    void nobodyQualifiesWithoutAnActiveFollower() {
        PeerStatus p = leader(Map.of(1L, progress(100, true, false), 2L, progress(100, false, false)),
                peer(2, PeerRole.Voter));
        assertEquals(Optional.empty(), pick(p, null));
        assertEquals(Optional.empty(), pick(leader(Map.of(1L, progress(100, true, false))), null), "a single replica");
    }
}
