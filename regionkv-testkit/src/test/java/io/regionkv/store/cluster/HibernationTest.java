package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.RegionKvClient;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.SleepState;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idle regions hibernate ({@code regionkv.raftstore.hibernate-regions}): an idle cluster sends (almost)
 * no raft messages, a sleeping region serves the next request, and a sleeping region whose leader's
 * node crashes elects a new leader. Raft messages are counted at the transport seam.
 */
class HibernationTest {

    private static final String HIBERNATE = String.join("\n",
            "regionkv.raftstore.hibernate-regions = on",
            // No leader moves by the scheduler during the quiet windows measured here.
            "regionkv.scheduler.balance-interval = 1h");
    private static final int REGIONS = 4;

    private static TestCluster start(String name) {
        return TestCluster.start(TestCluster.Options.of(name).withNodes(3).withClientTimeout(Duration.ofSeconds(10))
                .withConfig(HIBERNATE));
    }

    /** Raft messages sent cluster-wide during {@code window}. */
    private static long messagesDuring(TestCluster cluster, Duration window) throws InterruptedException {
        long before = cluster.faults().raftMessagesSent();
        Thread.sleep(window.toMillis());
        return cluster.faults().raftMessagesSent() - before;
    }

    /**
     * Waits until a window of {@code window} passes with at most {@code quiet} messages, up to
     * {@code timeout}; answers the last window's count.
     */
    private static long awaitQuiet(TestCluster cluster, Duration window, long quiet, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last;
        do {
            last = messagesDuring(cluster, window);
        } while (last > quiet && System.nanoTime() < deadline);
        return last;
    }

    private static void split(RegionKvClient client, int regions) throws Exception {
        for (int i = 1; i < regions; i++) {
            client.split(ByteString.copyFromUtf8("k" + i)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Raft ticks the stores' clocks delivered so far, over all stores. */
    private static long ticksDelivered(TestCluster cluster) {
        long sum = 0;
        for (long id : cluster.storeIds()) sum += cluster.node(id).metrics().ticksDelivered();
        return sum;
    }

    /**
     * Every peer sleeps and is off its store's clock: the status says asleep, no store counts an awake
     * peer, and no tick is delivered to anybody (one store-level clock, stopped; no timer per peer).
     */
    private static void assertNobodyTicks(TestCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String awake;
        do {
            awake = awakePeers(cluster);
            if (awake.isEmpty()) break;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertEquals("", awake, "peers still awake 30 s after the cluster went quiet");
        long before = ticksDelivered(cluster);
        Thread.sleep(1000); // twenty tick intervals of 50 ms
        assertEquals(before, ticksDelivered(cluster), "raft ticks delivered in an idle second");
    }

    /** The peers that are not asleep, by the status and by the stores' clocks; empty when none. */
    private static String awakePeers(TestCluster cluster) {
        StringBuilder awake = new StringBuilder();
        for (var e : cluster.allStatuses(Duration.ofSeconds(10)).entrySet()) {
            for (PeerStatus p : e.getValue()) {
                if (p.sleep() != SleepState.ASLEEP) {
                    awake.append("store ").append(e.getKey()).append(" region ").append(p.region().getId())
                            .append(' ').append(p.sleep()).append("; ");
                }
            }
            int counted = cluster.node(e.getKey()).metrics().awakePeers();
            if (counted != 0) awake.append("store ").append(e.getKey()).append(" clock ticks ").append(counted).append("; ");
        }
        return awake.toString();
    }

    @Test
    void anIdleMultiRegionClusterGoesQuietAndASleepingRegionServesAPut() throws Exception {
        try (TestCluster cluster = start("HibernateQuiet")) {
            RegionKvClient client = cluster.schedulerClient(1);
            split(client, REGIONS);
            for (int i = 0; i < REGIONS; i++) {
                client.put(ByteString.copyFromUtf8("k" + i + "-a"), ByteString.copyFromUtf8("v"))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            // Awake, each leader heartbeats its 2 followers every 2 ticks of 50 ms and each answers:
            // 4 regions × 2 × 2 × 10/s = 160 messages a second, 320 in a 2 s window.
            long quiet = awaitQuiet(cluster, Duration.ofSeconds(2), 4, Duration.ofSeconds(60));
            System.out.println("HibernateQuiet: " + quiet + " raft messages in 2 s once idle");
            assertTrue(quiet <= 4, "an idle cluster of " + REGIONS + " regions sent " + quiet + " raft messages in 2 s");
            assertNobodyTicks(cluster);

            // Every region sleeps; a put to each wakes it and succeeds, and the value reads back.
            for (int i = 0; i < REGIONS; i++) {
                ByteString key = ByteString.copyFromUtf8("k" + i + "-b");
                client.put(key, ByteString.copyFromUtf8("after-sleep")).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals(Optional.of(ByteString.copyFromUtf8("after-sleep")),
                        client.get(key).toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
            // And they fall asleep again.
            long again = awaitQuiet(cluster, Duration.ofSeconds(2), 4, Duration.ofSeconds(60));
            assertTrue(again <= 4, "after the puts, the idle cluster sent " + again + " raft messages in 2 s");
        }
    }

    /**
     * A leader transfer asked of a sleeping region takes effect: the leader wakes on the command and the
     * transferee on its MsgTimeoutNow. Each region's leader is moved to the next store, twice round, by
     * the client that made the splits.
     */
    @Test
    void aSleepingRegionHandsItsLeadershipOver() throws Exception {
        try (TestCluster cluster = start("HibernateTransfer")) {
            RegionKvClient client = cluster.schedulerClient(1);
            split(client, REGIONS);
            for (int round = 0; round < 2; round++) {
                assertNobodyTicks(cluster);
                for (var e : cluster.allStatuses(Duration.ofSeconds(10)).entrySet()) {
                    for (PeerStatus p : e.getValue()) {
                        if (p.role() != io.regionkv.raft.StateType.LEADER) continue;
                        long regionId = p.region().getId();
                        long to = p.storeId() % 3 + 1;
                        // The client that split: its cache may still hold the parent over this region's start
                        // key, which the call must see through (MembershipCalls#refreshCache).
                        client.transferLeader(regionId, to).toCompletableFuture().get(30, TimeUnit.SECONDS);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (System.nanoTime() < deadline
                                && !cluster.leader(regionId).map(l -> l.storeId() == to).orElse(false)) {
                            Thread.sleep(50);
                        }
                        assertEquals(Optional.of(to), cluster.leader(regionId).map(PeerStatus::storeId),
                                "region " + regionId + " asleep, transferred from store " + p.storeId() + " to " + to);
                    }
                }
            }
        }
    }

    @Test
    void crashingTheNodeOfASleepingLeaderElectsANewLeader() throws Exception {
        try (TestCluster cluster = start("HibernateCrash")) {
            RegionKvClient client = cluster.schedulerClient(1);
            long regionId = RegionKvNode.FIRST_REGION_ID;
            client.put(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("1")).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            long quiet = awaitQuiet(cluster, Duration.ofSeconds(2), 2, Duration.ofSeconds(60));
            assertTrue(quiet <= 2, "the idle region sent " + quiet + " raft messages in 2 s");
            PeerStatus leader = cluster.awaitLeader(regionId, Duration.ofSeconds(10));
            long crashed = leader.storeId();
            long t0 = System.nanoTime();
            cluster.stopNode(crashed); // a crash: no graceful leave, then downed by the client node
            // Election timeout 500-1000 ms (10 ticks of 50 ms); the survivors learn of the crash from
            // Pekko's membership (downing, gossip every 200 ms), then campaign after one timeout.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Optional<PeerStatus> next = Optional.empty();
            while (System.nanoTime() < deadline) {
                next = cluster.leader(regionId).filter(p -> p.storeId() != crashed);
                if (next.isPresent()) break;
                Thread.sleep(100);
            }
            assertTrue(next.isPresent(), "no new leader 20 s after the sleeping leader's node crashed");
            System.out.println("HibernateCrash: new leader on store " + next.get().storeId() + " "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms after the crash");
            // A client that never sent to the crashed node (the first one still waits out a write sent there).
            var fresh = cluster.client(2);
            fresh.mustPut("a", "2", Duration.ofSeconds(30));
            assertEquals(Optional.of("2"), fresh.mustGet("a", Duration.ofSeconds(30)));
        }
    }

    @Test
    void theGenericWorkloadWithCrashesPassesWithHibernationOn() {
        GenericWorkload.run(TestCluster.Options.of("HibernateWorkload").withConfig("regionkv.raftstore.hibernate-regions = on"),
                3, new GenericWorkload.Chaos(false, true, false, false), GenericWorkload.Shape.DEFAULT);
    }
}
