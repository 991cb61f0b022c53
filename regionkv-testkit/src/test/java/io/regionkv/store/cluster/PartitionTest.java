package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** TinyKV 2B with partitions: OnePartition, ManyPartitionsOneClient, ManyPartitionsManyClients. */
class PartitionTest {

    private static final Duration MUST = Duration.ofSeconds(30);

    /**
     * Leader in the majority: writes go on, the minority has none of them. Leader moved to the minority:
     * the majority elects a new leader and overwrites the key; the minority keeps the old value, and no read
     * through it may answer (a ReadIndex needs a quorum). Healed: the old leader catches up.
     */
    @Test
    void onePartition2B() {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("OnePartition2B"))) {
            PeerStatus leader = cluster.awaitLeader(RegionKvNode.FIRST_REGION_ID, MUST);
            List<Long> s1 = new ArrayList<>(List.of(leader.storeId()));
            List<Long> s2 = new ArrayList<>();
            for (Peer p : leader.region().getPeersList()) {
                if (p.getStoreId() == leader.storeId()) continue;
                (s1.size() < 3 ? s1 : s2).add(p.getStoreId());
            }
            RecordedClient client = cluster.client(0);

            // Leader in the majority: the partition does not affect writes and reads.
            cluster.faults().partition(List.of(s1, s2));
            client.mustPut("k1", "v1", MUST);
            assertEquals(Optional.of("v1"), client.mustGet("k1", MUST));
            for (long store : s2) {
                assertEquals(Optional.empty(), cluster.engineGet(store, "k1"), "minority store " + store);
            }
            cluster.faults().heal();

            // Old leader in the minority: a new leader is elected in the majority.
            s2.add(s1.remove(2));
            cluster.faults().partition(List.of(s1, s2));
            System.out.println("OnePartition2B: minority " + s1 + " (old leader " + leader.storeId()
                    + "), majority " + s2);
            // The old leader may still believe it leads (CheckQuorum deposes it only after an election
            // timeout), but a ReadIndex needs a heartbeat round with a quorum, which it cannot reach.
            Optional<RaftCmdResponse> early = cluster.getThrough(leader.storeId(), 1, "k1", Duration.ofSeconds(2));
            assertFalse(early.isPresent() && !early.get().getHeader().hasError(),
                    "the old leader answered a read from inside a minority: " + early);
            assertEquals(Optional.of("v1"), client.mustGet("k1", MUST));
            client.mustPut("k1", "changed", MUST);
            for (long store : s1) {
                // Neither the old leader nor its companion can confirm a read index without the majority.
                Optional<RaftCmdResponse> r = cluster.getThrough(store, 1, "k1", Duration.ofSeconds(2));
                assertFalse(r.isPresent() && !r.get().getHeader().hasError(),
                        "minority store " + store + " answered a read after the majority wrote: " + r);
            }
            for (long store : s1) {
                long s = store;
                ClusterSystems.awaitCondition("minority store " + store + " applied k1=v1", MUST,
                        () -> cluster.engineGet(s, "k1").equals(Optional.of("v1")));
            }
            cluster.faults().heal();

            // Healed: the old minority catches up.
            client.mustPut("k2", "v2", MUST);
            for (long store : s1) {
                long s = store;
                ClusterSystems.awaitCondition("store " + store + " caught up", MUST,
                        () -> cluster.engineGet(s, "k2").equals(Optional.of("v2"))
                                && cluster.engineGet(s, "k1").equals(Optional.of("changed")));
            }
            assertEquals(Optional.of("changed"), client.mustGet("k1", MUST));
            cluster.assertLinearizable();
        }
    }

    @Test
    void manyPartitionsOneClient2B() {
        GenericWorkload.run("ManyPartitionsOneClient2B", 1, new Chaos(false, false, true));
    }

    @Test
    void manyPartitionsManyClients2B() {
        GenericWorkload.run("ManyPartitionsManyClients2B", 5, new Chaos(false, false, true));
    }
}
