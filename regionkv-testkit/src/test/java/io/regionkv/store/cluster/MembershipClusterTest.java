package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.RegionKvClient;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Membership changes in operation, on real multi-node clusters: a replica added under writes joins as a
 * learner, catches up and is promoted; the leader can be removed under writes; a removed peer that missed
 * its removal destroys itself once it hears from the region again. Every write acknowledged during the
 * changes is read back afterwards.
 */
class MembershipClusterTest {

    private static final long R = RegionKvNode.FIRST_REGION_ID;
    private static final Duration T = Duration.ofSeconds(60);

    static final String FAST_SCHEDULER = String.join("\n",
            "regionkv.scheduler.region-heartbeat-interval = 200ms",
            "regionkv.scheduler.store-heartbeat-interval = 200ms",
            "regionkv.scheduler.balance-interval = 300ms");

    private static TestCluster start(String name, int nodes) {
        return TestCluster.start(TestCluster.Options.of(name).withNodes(nodes).withClientTimeout(Duration.ofSeconds(10))
                .withConfig(FAST_SCHEDULER));
    }

    /** The region as its current leader has applied it. */
    private static Region region(TestCluster c) {
        return c.awaitLeader(R, T).region();
    }

    private static Optional<Peer> peerOn(Region r, long store) {
        return r.getPeersList().stream().filter(p -> p.getStoreId() == store).findFirst();
    }

    private static void awaitRegion(TestCluster c, String what, java.util.function.Predicate<Region> ok) {
        ClusterSystems.awaitCondition(what, T, () -> c.leader(R).map(l -> ok.test(l.region())).orElse(false));
    }

    /** Puts k-0, k-1, ... one after another until stopped; remembers what was acknowledged. */
    private static final class Writer implements AutoCloseable {
        final Map<Integer, Boolean> acked = new ConcurrentHashMap<>();
        final AtomicInteger failed = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Writer(RegionKvClient client) {
            thread = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        client.put(key(i), value(i)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                        acked.put(i, true);
                    } catch (Exception e) {
                        failed.incrementAndGet(); // a timeout under a change is allowed; its outcome is unknown
                    }
                }
            }, "membership-writer");
            thread.start();
        }

        void awaitAcked(int n) {
            ClusterSystems.awaitCondition(n + " writes acknowledged", T, () -> acked.size() >= n);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
        }

        void checkAll(RegionKvClient client) throws Exception {
            for (int i : acked.keySet()) {
                assertEquals(Optional.of(value(i)), client.get(key(i)).toCompletableFuture().get(30, TimeUnit.SECONDS),
                        "acknowledged key " + i);
            }
        }
    }

    static ByteString key(int i) {
        return ByteString.copyFromUtf8(String.format("k-%06d", i));
    }

    static ByteString value(int i) {
        return ByteString.copyFromUtf8("v-" + i);
    }

    @Test
    void aPeerAddedUnderWritesJoinsAsLearnerCatchesUpAndIsPromoted() throws Exception {
        try (TestCluster c = start("membership-add", 4)) {
            RegionKvClient client = c.schedulerClient(0);
            // The cluster starts with a replica on every store: take store 4's away first.
            client.removePeer(R, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            ClusterSystems.awaitCondition("store 4 holds no peer", T, () -> c.statuses(R).stream()
                    .noneMatch(s -> s.storeId() == 4));
            try (Writer w = new Writer(client)) {
                w.awaitAcked(50);
                long confVer = region(c).getRegionEpoch().getConfVer();
                client.addPeer(R, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
                Peer added = peerOn(region(c), 4).orElseThrow();
                awaitRegion(c, "store 4's replica promoted", r -> peerOn(r, 4)
                        .map(p -> p.getRole() == PeerRole.Voter && p.getId() == added.getId()).orElse(false));
                // Two changes: it joined as a learner, then its leader promoted it.
                assertEquals(confVer + 2, region(c).getRegionEpoch().getConfVer());
                int before = w.acked.size();
                w.awaitAcked(before + 50);
            }
            PeerStatus leader = c.awaitLeader(R, T);
            ClusterSystems.awaitCondition("store 4 caught up", T, () -> c.statuses(R).stream()
                    .anyMatch(s -> s.storeId() == 4 && s.appliedIndex() >= leader.appliedIndex()));
            assertEquals(4, region(c).getPeersCount());
            c.transferLeader(client, R, 4, T);
        }
    }

    @Test
    void theLeaderIsRemovedUnderWritesAfterHandingOver() throws Exception {
        try (TestCluster c = start("membership-remove-leader", 3)) {
            RegionKvClient client = c.schedulerClient(0);
            try (Writer w = new Writer(client)) {
                w.awaitAcked(50);
                long old = c.awaitLeader(R, T).storeId();
                long confVer = region(c).getRegionEpoch().getConfVer();
                client.removePeer(R, old).toCompletableFuture().get(30, TimeUnit.SECONDS);
                awaitRegion(c, "store " + old + " removed", r -> peerOn(r, old).isEmpty());
                Region after = region(c);
                assertEquals(2, after.getPeersCount());
                assertEquals(confVer + 1, after.getRegionEpoch().getConfVer(), "one change, one conf_ver");
                assertTrue(c.awaitLeader(R, T).storeId() != old);
                ClusterSystems.awaitCondition("store " + old + " destroyed its peer", T, () -> c.statuses(R).stream()
                        .noneMatch(s -> s.storeId() == old));
                int before = w.acked.size();
                w.awaitAcked(before + 50);
            }
        }
    }

    @Test
    void aRemovedPeerThatMissedItsRemovalDestroysItself() throws Exception {
        try (TestCluster c = start("membership-stale", 4)) {
            RegionKvClient client = c.schedulerClient(0);
            client.put(key(0), value(0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (c.awaitLeader(R, T).storeId() == 4) {
                c.transferLeader(client, R, 1, T);
            }
            // Store 4 cannot hear of its removal: it is cut off while the other three remove it.
            c.faults().isolate(4);
            client.removePeer(R, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            awaitRegion(c, "store 4 removed", r -> peerOn(r, 4).isEmpty());
            assertTrue(c.statuses(R).stream().anyMatch(s -> s.storeId() == 4), "store 4 still has its stale peer");
            c.faults().heal();
            // Its campaign reaches the members, whose newer membership tells it that it was removed.
            ClusterSystems.awaitCondition("store 4 destroyed its stale peer", T, () -> c.statuses(R).stream()
                    .noneMatch(s -> s.storeId() == 4));
            // The peer hands its range deletion to the kv writer and stops at once, so its status can be gone
            // a moment before the deletion commits (fresh CI saw the key still there right after).
            ClusterSystems.awaitCondition("the stale peer's data is cleared", T,
                    () -> c.engineGet(4, "k-000000").isEmpty());
            assertEquals(Optional.of(value(0)), client.get(key(0)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    private static io.regionkv.proto.RaftCmdpb.RaftCmdRequest changePeer(Region region,
            io.regionkv.proto.Eraftpb.ConfChangeType type, Peer peer) {
        return io.regionkv.proto.RaftCmdpb.RaftCmdRequest.newBuilder()
                .setHeader(io.regionkv.proto.RaftCmdpb.RaftRequestHeader.newBuilder().setRegionId(region.getId())
                        .setRegionEpoch(region.getRegionEpoch()).setUuid(ByteString.copyFromUtf8("test")))
                .setAdminRequest(io.regionkv.proto.RaftCmdpb.AdminRequest.newBuilder()
                        .setCmdType(io.regionkv.proto.RaftCmdpb.AdminCmdType.ChangePeer)
                        .setChangePeer(io.regionkv.proto.RaftCmdpb.ChangePeerRequest.newBuilder().setChangeType(type)
                                .setPeer(peer)))
                .build();
    }

    @Test
    void aSecondChangeIsRefusedWhileALearnerIsCatchingUp() throws Exception {
        try (TestCluster c = start("membership-one-at-a-time", 4)) {
            RegionKvClient client = c.schedulerClient(0);
            client.removePeer(R, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            ClusterSystems.awaitCondition("store 4 holds no peer", T, () -> c.statuses(R).stream()
                    .noneMatch(s -> s.storeId() == 4));
            // Cut off, store 4's new replica stays a learner that cannot catch up: its addition is pending.
            c.faults().isolate(4);
            client.addPeer(R, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            PeerStatus leader = c.awaitLeader(R, T);
            assertEquals(PeerRole.Learner, peerOn(leader.region(), 4).orElseThrow().getRole());
            long other = leader.storeId() == 3 ? 2 : 3;
            var answer = c.sendTo(leader.storeId(), changePeer(leader.region(),
                    io.regionkv.proto.Eraftpb.ConfChangeType.RemoveNode, peerOn(leader.region(), other).orElseThrow()),
                    Duration.ofSeconds(10)).orElseThrow();
            assertTrue(answer.getHeader().getError().hasServerIsBusy(), answer.toString());
            assertTrue(peerOn(region(c), other).isPresent(), "the refused removal did not happen");
            // Once it has caught up and is promoted, the next change goes through.
            c.faults().heal();
            awaitRegion(c, "store 4 promoted", r -> peerOn(r, 4).map(p -> p.getRole() == PeerRole.Voter).orElse(false));
            client.removePeer(R, other).toCompletableFuture().get(30, TimeUnit.SECONDS);
            awaitRegion(c, "store " + other + " removed", r -> peerOn(r, other).isEmpty());
        }
    }

    @Test
    void theLeaderAnswersItsOwnRemovalByHandingOverFirst() throws Exception {
        try (TestCluster c = start("membership-leader-hands-over", 3)) {
            PeerStatus leader = c.awaitLeader(R, T);
            var answer = c.sendTo(leader.storeId(), changePeer(leader.region(),
                    io.regionkv.proto.Eraftpb.ConfChangeType.RemoveNode, leader.self()), Duration.ofSeconds(10))
                    .orElseThrow();
            // Not removed yet: NotLeader names the peer it hands over to, where the caller retries.
            assertTrue(answer.getHeader().getError().hasNotLeader(), answer.toString());
            Peer next = answer.getHeader().getError().getNotLeader().getLeader();
            assertTrue(next.getStoreId() != leader.storeId());
            ClusterSystems.awaitCondition("store " + next.getStoreId() + " leads", T,
                    () -> c.leader(R).map(l -> l.storeId() == next.getStoreId()).orElse(false));
            assertEquals(3, region(c).getPeersCount());
        }
    }
}
