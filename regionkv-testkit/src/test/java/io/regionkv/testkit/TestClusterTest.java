package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The harness itself: one store stopped and started again on its data directory, the client unharmed. */
class TestClusterTest {

    private static final Duration MUST = Duration.ofSeconds(30);

    @Test
    void stoppedLeaderIsReplacedAndCatchesUpAfterRestart() {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("TestClusterTest").withNodes(3))) {
            RecordedClient client = cluster.client(0);
            client.mustPut("a", "1", MUST);
            PeerStatus leader = cluster.awaitLeader(RegionKvNode.FIRST_REGION_ID, MUST);
            long old = leader.storeId();

            cluster.stopNode(old);
            PeerStatus next = cluster.awaitLeader(RegionKvNode.FIRST_REGION_ID, MUST);
            assertNotEquals(old, next.storeId());
            client.mustPut("b", "2", MUST);
            assertEquals(Optional.of("1"), client.mustGet("a", MUST));

            cluster.startNode(old);
            ClusterSystems.awaitCondition("restarted store " + old + " caught up", MUST,
                    () -> cluster.engineGet(old, "b").equals(Optional.of("2")));
            assertEquals(Optional.of("1"), cluster.engineGet(old, "a"));

            // Every store at once, the client node alone keeping the cluster alive.
            cluster.restartAll();
            assertEquals(List.of(1L, 2L, 3L), cluster.storeIds());
            assertEquals(Optional.of("2"), client.mustGet("b", MUST));
            client.mustPut("c", "3", MUST);
            cluster.assertLinearizable();
        }
    }
}
