package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The replica checker, balance-leader, balance-region and the operator life cycle, on the scheduler's state alone. */
class SchedulingTest {

    private static final long S = 1_000_000_000L; // one second in nanos

    private final ScheduleSettings settings = new ScheduleSettings(3, Duration.ofSeconds(60), Duration.ofSeconds(20),
            Duration.ofSeconds(1), Duration.ofSeconds(600), 4);

    /** Region {@code id} over [id, id+1) with one voter per store (peer id = 100 * id + store), led by {@code leader}. */
    private static RegionDirectory.Entry region(long id, long size, long leader, long... stores) {
        Region.Builder r = Region.newBuilder().setId(id).setStartKey(key(id)).setEndKey(key(id + 1))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(1).setConfVer(1));
        Peer lead = null;
        for (long s : stores) {
            Peer p = Peer.newBuilder().setId(100 * id + s).setStoreId(s).build();
            r.addPeers(p);
            if (s == leader) lead = p;
        }
        return new RegionDirectory.Entry(r.build(), lead, size, 1, List.of(), List.of());
    }

    private static ByteString key(long i) {
        return ByteString.copyFromUtf8(String.format("k%04d", i));
    }

    private static Map<Long, StoreState> up(long... stores) {
        Map<Long, StoreState> m = new TreeMap<>();
        for (long s : stores) m.put(s, StoreState.Up);
        return m;
    }

    @Test
    void replicaCheckerRebuildsOnTheLeastLoadedUpStoreThenRemovesTheDeadReplica() {
        Map<Long, StoreState> stores = up(1, 2, 4, 5);
        stores.put(3L, StoreState.Down);
        Map<Long, Integer> counts = Map.of(1L, 9, 2L, 9, 4L, 5, 5L, 2);
        Plan plan = ReplicaChecker.check(region(1, 10, 1, 1, 2, 3), stores, () -> counts, 3).orElseThrow();
        assertEquals(List.of(new OpStep.AddPeer(5, 0), new OpStep.RemovePeer(3)), plan.steps());
        // Disconnected is not Down: nothing moves.
        stores.put(3L, StoreState.Disconnected);
        assertTrue(ReplicaChecker.check(region(1, 10, 1, 1, 2, 3), stores, () -> counts, 3).isEmpty());
        // Enough live replicas already: only the removal.
        stores.put(3L, StoreState.Down);
        assertEquals(List.of(new OpStep.RemovePeer(3)),
                ReplicaChecker.check(region(1, 10, 1, 1, 2, 3, 4), stores, () -> counts, 3).orElseThrow().steps());
        // Nowhere to rebuild: leave the region as it is.
        assertTrue(ReplicaChecker.check(region(1, 10, 1, 1, 2, 3), Map.of(1L, StoreState.Up, 2L, StoreState.Up,
                3L, StoreState.Down), () -> Map.of(1L, 1, 2L, 1), 3).isEmpty());
    }

    @Test
    void balanceLeaderMovesFromTheBusiestStoreToAFollowerOnTheLeastBusyOne() {
        List<RegionDirectory.Entry> regions = new ArrayList<>();
        for (int i = 1; i <= 6; i++) regions.add(region(i, 10, 1, 1, 2, 3));
        Plan plan = BalanceLeader.plan(regions, up(1, 2, 3), Set.of()).orElseThrow();
        assertEquals(1, plan.regionId());
        assertEquals(List.of(new OpStep.TransferLeader(2)), plan.steps());
        // Counts within one of each other: nothing to do.
        List<RegionDirectory.Entry> even = List.of(region(1, 10, 1, 1, 2, 3), region(2, 10, 2, 1, 2, 3),
                region(3, 10, 3, 1, 2, 3), region(4, 10, 1, 1, 2, 3));
        assertTrue(BalanceLeader.plan(even, up(1, 2, 3), Set.of()).isEmpty());
        // A store holding no replica of the leader's regions cannot take their leadership.
        assertTrue(BalanceLeader.plan(List.of(region(1, 10, 1, 1, 2), region(2, 10, 1, 1, 2), region(3, 10, 2, 1, 2)),
                up(1, 2, 3), Set.of()).isEmpty());
    }

    @Test
    void balanceLeaderEvensOutThroughTheController() {
        OperatorController c = new OperatorController(settings);
        for (long s = 1; s <= 3; s++) c.storeHeartbeat(s, 0);
        List<RegionDirectory.Entry> regions = new ArrayList<>();
        for (int i = 1; i <= 12; i++) regions.add(region(i, 10, 1, 1, 2, 3));
        AtomicLong ids = new AtomicLong(5000);
        // Each round: the controller plans, every region's leader reports, the transfers it was told happen.
        for (int round = 0; round < 10; round++) {
            c.balance(regions, S, ids::incrementAndGet);
            for (int i = 0; i < regions.size(); i++) {
                RegionDirectory.Entry e = regions.get(i);
                Optional<SchedulerReply.Operate> op = c.onHeartbeat(e, () -> regions, S, ids::incrementAndGet);
                if (op.isPresent()) {
                    assertEquals(SchedulerReply.OperateKind.TRANSFER_LEADER, op.get().kind());
                    regions.set(i, new RegionDirectory.Entry(e.region(), op.get().peer(), 10, 1, List.of(), List.of()));
                    c.onHeartbeat(regions.get(i), () -> regions, S, ids::incrementAndGet); // finishes it
                }
            }
        }
        assertEquals(Map.of(1L, 4, 2L, 4, 3L, 4), Placement.leaderCounts(regions, up(1, 2, 3)));
        assertTrue(c.operators().isEmpty());
    }

    @Test
    void balanceRegionMovesOnlyWhenTheGapIsMoreThanTwiceTheRegionAndPrefersFollowers() {
        // Stores 1-3 hold 3 regions of 10 each (30), store 4 none: gap 30 > 2 * 10.
        List<RegionDirectory.Entry> regions = List.of(region(1, 10, 1, 1, 2, 3), region(2, 10, 1, 1, 2, 3),
                region(3, 10, 2, 1, 2, 3));
        Plan plan = BalanceRegion.plan(regions, up(1, 2, 3, 4), Set.of()).orElseThrow();
        // Source store 1 (first of the fullest), target 4; region 3 is the first where store 1 only follows.
        assertEquals(3, plan.regionId());
        assertEquals(List.of(new OpStep.AddPeer(4, 0), new OpStep.RemovePeer(1)), plan.steps());
        // A pending replica on the source is preferred over a follower.
        RegionDirectory.Entry pending = region(1, 10, 2, 1, 2, 3);
        pending = new RegionDirectory.Entry(pending.region(), pending.leader(), 10, 1,
                List.of(pending.region().getPeers(0)), List.of());
        plan = BalanceRegion.plan(List.of(region(3, 10, 2, 1, 2, 3), region(2, 10, 1, 1, 2, 3), pending),
                up(1, 2, 3, 4), Set.of()).orElseThrow();
        assertEquals(1, plan.regionId());
        // Gap 15 is not more than twice a region of 10: no move.
        assertTrue(BalanceRegion.plan(List.of(region(1, 15, 1, 1, 2, 3)), up(1, 2, 3, 4), Set.of()).isEmpty());
    }

    @Test
    void operatorStepsFollowTheRegionAndTheControllerExpiresThem() {
        OperatorController c = new OperatorController(settings);
        c.storeHeartbeat(1, 0);
        c.storeHeartbeat(2, 0);
        c.storeHeartbeat(4, 0);
        RegionDirectory.Entry r = region(1, 10, 1, 1, 2, 3);
        c.storesMentioned(r.region(), 0); // store 3 never reports
        long later = 61 * S;
        c.storeHeartbeat(1, later);
        c.storeHeartbeat(2, later);
        c.storeHeartbeat(4, later);
        assertEquals(StoreState.Down, c.state(3, later));
        assertEquals(StoreState.Up, c.state(4, later));
        SchedulerReply.Operate add = c.onHeartbeat(r, () -> List.of(r), later, () -> 777).orElseThrow();
        assertEquals(SchedulerReply.OperateKind.ADD_LEARNER, add.kind());
        assertEquals(Peer.newBuilder().setId(777).setStoreId(4).setRole(PeerRole.Learner).build(), add.peer());
        // The learner is in: wait for its leader to promote it.
        Region withLearner = r.region().toBuilder().addPeers(add.peer()).build();
        RegionDirectory.Entry learning = new RegionDirectory.Entry(withLearner, r.leader(), 10, 1, List.of(), List.of());
        assertTrue(c.onHeartbeat(learning, () -> List.of(learning), later, () -> 778).isEmpty());
        // Promoted: now the dead replica goes.
        Region promoted = r.region().toBuilder().addPeers(add.peer().toBuilder().setRole(PeerRole.Voter)).build();
        RegionDirectory.Entry voter = new RegionDirectory.Entry(promoted, r.leader(), 10, 1, List.of(), List.of());
        SchedulerReply.Operate remove = c.onHeartbeat(voter, () -> List.of(voter), later, () -> 779).orElseThrow();
        assertEquals(SchedulerReply.OperateKind.REMOVE_PEER, remove.kind());
        assertEquals(3, remove.peer().getStoreId());
        // No id to be had: no operator (asked again at the next heartbeat).
        OperatorController d = new OperatorController(settings);
        d.storesMentioned(r.region(), 0);
        d.storeHeartbeat(1, later);
        d.storeHeartbeat(2, later);
        d.storeHeartbeat(4, later);
        assertTrue(d.onHeartbeat(r, () -> List.of(r), later, () -> -1).isEmpty());
        assertTrue(d.operators().isEmpty());
        // An operator older than the timeout is dropped (and the checker plans a fresh one).
        Map<Long, Operator> before = new HashMap<>(c.operators());
        assertEquals(1, before.size());
        c.onHeartbeat(voter, () -> List.of(voter), later + 601 * S, () -> 780);
        assertTrue(c.operators().isEmpty() || c.operators().get(1L).createdNanos() == later + 601 * S);
    }

    /** Region {@code id} of {@code size} with a replica on each of {@code stores}, led by the first. */
    private static RegionDirectory.Entry on(long id, long size, long... stores) {
        return region(id, size, stores[0], stores);
    }

    /** TinyKV's 3C balance with 1, 3 and 5 replicas: the source is the fullest Up store, the target the emptiest. */
    @Test
    void balanceRegionPicksSourceAndTargetWithOneThreeAndFiveReplicas3C() {
        // One replica each, all on store 1: the move goes from 1 to the empty store 2.
        Plan one = BalanceRegion.plan(List.of(on(1, 10, 1), on(2, 10, 1), on(3, 10, 1)), up(1, 2), Set.of())
                .orElseThrow();
        assertEquals(List.of(new OpStep.AddPeer(2, 0), new OpStep.RemovePeer(1)), one.steps());
        // Three replicas: store 3 holds the most (3 regions), store 4 none; store 3 only follows in region 1.
        Plan three = BalanceRegion.plan(List.of(on(1, 10, 1, 2, 3), on(2, 10, 3, 1, 5), on(3, 10, 3, 2, 5)),
                up(1, 2, 3, 4, 5), Set.of()).orElseThrow();
        assertEquals(1, three.regionId());
        assertEquals(List.of(new OpStep.AddPeer(4, 0), new OpStep.RemovePeer(3)), three.steps());
        // Five replicas on stores 1-5, store 10 empty; store 5 holds one region more than the others and
        // leads region 4, so the follower replica of region 1 moves.
        List<RegionDirectory.Entry> five = List.of(on(1, 10, 1, 2, 3, 4, 5), on(2, 10, 1, 2, 3, 4, 5),
                on(3, 10, 2, 3, 4, 5, 1), on(4, 10, 5, 6, 7, 8, 9));
        Plan p5 = BalanceRegion.plan(five, up(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Set.of()).orElseThrow();
        assertEquals(1, p5.regionId());
        assertEquals(List.of(new OpStep.AddPeer(10, 0), new OpStep.RemovePeer(5)), p5.steps());
    }

    /** TinyKV's 3C: Down and Disconnected (offline) stores are neither source nor target of a move. */
    @Test
    void balanceRegionLeavesDownAndDisconnectedStoresOut3C() {
        List<RegionDirectory.Entry> regions = List.of(on(1, 10, 1, 2, 3),
                on(4, 10, 4, 5, 6), on(5, 10, 4, 5, 6), on(6, 10, 4, 5, 6), on(7, 10, 4, 5, 6));
        Map<Long, StoreState> stores = up(1, 2, 3, 5, 6);
        stores.put(4L, StoreState.Down); // the fullest, but Down: not a source
        stores.put(7L, StoreState.Disconnected); // empty, but offline: not a target
        stores.put(8L, StoreState.Down); // empty, but Down: not a target
        Plan plan = BalanceRegion.plan(regions, stores, Set.of()).orElseThrow();
        assertEquals(4, plan.regionId());
        assertEquals(List.of(new OpStep.AddPeer(1, 0), new OpStep.RemovePeer(5)), plan.steps());
        // With every emptier store out, nothing moves.
        stores.put(1L, StoreState.Down);
        stores.put(2L, StoreState.Disconnected);
        stores.put(3L, StoreState.Down);
        assertTrue(BalanceRegion.plan(regions, stores, Set.of()).isEmpty());
    }
}
