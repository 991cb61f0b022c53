package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.raft.ProgressState;
import io.regionkv.raft.ProgressStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfChangeCheckTest {

    private static Peer voter(long id) {
        return Peer.newBuilder().setId(id).setStoreId(id).build();
    }

    private static Peer learner(long id) {
        return voter(id).toBuilder().setRole(PeerRole.Learner).build();
    }

    private static Region region(Peer... peers) {
        return Region.newBuilder().setId(7).setRegionEpoch(RegionEpoch.newBuilder().setVersion(1).setConfVer(3))
                .addAllPeers(java.util.List.of(peers)).build();
    }

    private static ProgressStatus match(long m, ProgressState state) {
        return new ProgressStatus(m, m + 1, state, 0, true, false, 0, false);
    }

    @Test
    void aNewVoterJoinsAsALearner() {
        var d = ConfChangeCheck.decide(region(voter(1), voter(2), voter(3)), 1, ConfChangeType.AddNode, voter(4), Map.of(), false);
        var p = assertInstanceOf(ConfChangeCheck.Propose.class, d);
        assertEquals(ConfChangeType.AddLearnerNode, p.type());
        assertEquals(PeerRole.Learner, p.peer().getRole());
    }

    @Test
    void aSecondChangeIsRefusedWhileOneIsPending() {
        Region r = region(voter(1), voter(2), voter(3));
        var d = ConfChangeCheck.decide(r, 1, ConfChangeType.RemoveNode, voter(3), Map.of(), true);
        assertTrue(assertInstanceOf(ConfChangeCheck.Refuse.class, d).error().hasServerIsBusy());
        // A learner still catching up is a change in progress too: no other add or remove meanwhile ...
        Region adding = region(voter(1), voter(2), voter(3), learner(4));
        d = ConfChangeCheck.decide(adding, 1, ConfChangeType.AddLearnerNode, voter(5), Map.of(), false);
        assertTrue(assertInstanceOf(ConfChangeCheck.Refuse.class, d).error().hasServerIsBusy());
        d = ConfChangeCheck.decide(adding, 1, ConfChangeType.RemoveNode, voter(2), Map.of(), false);
        assertTrue(assertInstanceOf(ConfChangeCheck.Refuse.class, d).error().hasServerIsBusy());
        // ... but the learner itself may be promoted or given up.
        d = ConfChangeCheck.decide(adding, 1, ConfChangeType.AddNode, voter(4), Map.of(), false);
        assertEquals(PeerRole.Voter, assertInstanceOf(ConfChangeCheck.Propose.class, d).peer().getRole());
        d = ConfChangeCheck.decide(adding, 1, ConfChangeType.RemoveNode, voter(4), Map.of(), false);
        assertEquals(ConfChangeType.RemoveNode, assertInstanceOf(ConfChangeCheck.Propose.class, d).type());
    }

    @Test
    void theLeaderHandsOverBeforeItIsRemoved() {
        Region r = region(voter(1), voter(2), voter(3));
        var progress = Map.of(1L, match(50, ProgressState.REPLICATE), 2L, match(40, ProgressState.REPLICATE),
                3L, match(49, ProgressState.REPLICATE));
        var d = ConfChangeCheck.decide(r, 1, ConfChangeType.RemoveNode, voter(1), progress, false);
        assertEquals(3, assertInstanceOf(ConfChangeCheck.TransferFirst.class, d).transferee().getId());
        d = ConfChangeCheck.decide(region(voter(1)), 1, ConfChangeType.RemoveNode, voter(1), progress, false);
        assertInstanceOf(ConfChangeCheck.Refuse.class, d);
    }

    @Test
    void badRequestsAreRefused() {
        Region r = region(voter(1), voter(2), voter(3));
        assertInstanceOf(ConfChangeCheck.Refuse.class,
                ConfChangeCheck.decide(r, 1, ConfChangeType.RemoveNode, voter(9), Map.of(), false));
        assertInstanceOf(ConfChangeCheck.Refuse.class, ConfChangeCheck.decide(r, 1, ConfChangeType.AddLearnerNode,
                Peer.newBuilder().setId(9).setStoreId(2).build(), Map.of(), false));
        assertInstanceOf(ConfChangeCheck.Refuse.class,
                ConfChangeCheck.decide(r, 1, ConfChangeType.AddNode, voter(2), Map.of(), false));
    }

    @Test
    void aLearnerIsPromotedOnlyWhenCaughtUp() {
        Region r = region(voter(1), voter(2), learner(4));
        assertNull(ConfChangeCheck.learnerToPromote(r, Map.of(4L, match(100, ProgressState.SNAPSHOT)), 100, 10));
        assertNull(ConfChangeCheck.learnerToPromote(r, Map.of(4L, match(80, ProgressState.REPLICATE)), 100, 10));
        assertNull(ConfChangeCheck.learnerToPromote(r, Map.of(4L, match(0, ProgressState.PROBE)), 5, 10));
        assertEquals(4, ConfChangeCheck.learnerToPromote(r, Map.of(4L, match(100, ProgressState.PROBE)), 100, 10).getId());
        assertEquals(4, ConfChangeCheck.learnerToPromote(r, Map.of(4L, match(95, ProgressState.REPLICATE)), 100, 10).getId());
    }
}
