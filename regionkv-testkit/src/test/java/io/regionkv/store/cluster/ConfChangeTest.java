package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.regionkv.client.RegionKvClient;
import io.regionkv.RegionKvNode;
import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.store.cluster.GenericWorkload.Shape;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TinyKV's 3B conf-change cases: leadership handed to every store in turn, the region shrunk to one peer
 * by removing its leader twice, and the generic workload while a conf changer keeps removing and adding
 * replicas, with the chaos of each case; every history is checked for linearizability. The cases whose
 * chaos {@link #confChangeSnapshotUnreliableRecoverConcurrentPartition3B} includes run under the
 * {@code soak} tag only, to keep the default suite short.
 */
class ConfChangeTest {

    private static final long R = RegionKvNode.FIRST_REGION_ID;
    private static final Duration T = Duration.ofSeconds(60);
    private static final Chaos CC = Chaos.NONE.withConfChanges();

    /** TinyKV's TransferLeader3B: leadership moves to every store in turn, and each one serves. */
    @Test
    void transferLeader3B() throws Exception {
        try (TestCluster c = TestCluster.start(TestCluster.Options.of("TransferLeader3B")
                .withClientTimeout(Duration.ofSeconds(10)).withConfig(MembershipClusterTest.FAST_SCHEDULER))) {
            RegionKvClient admin = c.schedulerClient(0);
            RecordedClient client = c.client(1);
            for (long store : c.storeIds()) {
                c.transferLeader(admin, R, store, T);
                client.mustPut("k", "led by " + store, T);
                assertEquals(Optional.of("led by " + store), client.mustGet("k", T));
            }
            c.assertLinearizable();
        }
    }

    /**
     * TinyKV's ConfChangeRemoveLeader3B: on three stores, the leader's replica is removed (it hands over
     * first), then the new leader's, leaving one peer that still serves every write acknowledged before;
     * the removed stores' data is wiped.
     */
    @Test
    void confChangeRemoveLeader3B() throws Exception {
        try (TestCluster c = TestCluster.start(TestCluster.Options.of("ConfChangeRemoveLeader3B").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10)).withConfig(MembershipClusterTest.FAST_SCHEDULER))) {
            RegionKvClient admin = c.schedulerClient(0);
            RecordedClient client = c.client(1);
            client.mustPut("k1", "v1", T);
            for (int peers = 3; peers > 1; peers--) {
                long leader = c.awaitLeader(R, T).storeId();
                admin.removePeer(R, leader).toCompletableFuture().get(30, TimeUnit.SECONDS);
                int left = peers - 1;
                ClusterSystems.awaitCondition("region down to " + left + " peer(s) without store " + leader, T,
                        () -> c.leader(R).map(l -> l.storeId() != leader && l.region().getPeersCount() == left)
                                .orElse(false));
                ClusterSystems.awaitCondition("store " + leader + " wiped", T,
                        () -> c.statuses(R).stream().noneMatch(s -> s.storeId() == leader)
                                && c.engineGet(leader, "k1").isEmpty());
                client.mustPut("k" + (5 - peers), "v" + (5 - peers), T);
            }
            for (int i = 1; i <= 3; i++) assertEquals(Optional.of("v" + i), client.mustGet("k" + i, T));
            assertEquals(1, c.awaitLeader(R, T).region().getPeersCount());
            c.assertLinearizable();
        }
    }

    @Test
    void basicConfChange3B() {
        GenericWorkload.run("BasicConfChange3B", 5, CC);
    }

    @Test
    void confChangeUnreliable3B() {
        GenericWorkload.run("ConfChangeUnreliable3B", 5, CC.withUnreliable());
    }

    @Test
    void confChangeSnapshotUnreliableRecoverConcurrentPartition3B() {
        GenericWorkload.run("ConfChangeSnapshotUnreliableRecoverConcurrentPartition3B", 5,
                CC.withSnapshots().withUnreliable().withCrash().withPartitions(), Shape.SHORT);
    }

    @Tag("soak")
    @Test
    void confChangeRecover3B() {
        GenericWorkload.run("ConfChangeRecover3B", 1, CC.withCrash());
    }

    @Tag("soak")
    @Test
    void confChangeRecoverManyClients3B() {
        GenericWorkload.run("ConfChangeRecoverManyClients3B", 5, CC.withCrash());
    }

    @Tag("soak")
    @Test
    void confChangeUnreliableRecover3B() {
        GenericWorkload.run("ConfChangeUnreliableRecover3B", 5, CC.withUnreliable().withCrash());
    }

    @Tag("soak")
    @Test
    void confChangeSnapshotUnreliableRecover3B() {
        GenericWorkload.run("ConfChangeSnapshotUnreliableRecover3B", 5,
                CC.withSnapshots().withUnreliable().withCrash());
    }
}
