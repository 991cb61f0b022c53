package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.StoreCommand;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A peer that fails is restarted from its durable state by its store: one test per failure kind. Before
 * supervision such a peer was gone for good and its store kept routing to it.
 */
class PeerSupervisionTest {

    private static final Duration MUST = Duration.ofSeconds(30);
    private static final long REGION = RegionKvNode.FIRST_REGION_ID;

    /**
     * An exception inside the leader's handler (injected through a test-only store message): while the peer
     * is down its store answers RegionNotFound; then it is back, the region serves, and the history holds.
     */
    @Test
    void aPeerThatThrowsIsRestartedAndItsStoreAnswersRegionNotFoundMeanwhile() {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("PeerThrows").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10))
                .withConfig("regionkv.supervision.restart-backoff-min = 8s"))) {
            RecordedClient client = cluster.client(0);
            client.mustPut("k", "v0", MUST);
            PeerStatus leader = cluster.awaitLeader(REGION, MUST);
            long store = leader.storeId();

            cluster.node(store).store().tell(new StoreCommand.InjectPeerFailure(REGION));

            ClusterSystems.awaitCondition("store " + store + " answers RegionNotFound while its peer is down",
                    Duration.ofSeconds(6), () -> cluster.sendTo(store, get(), Duration.ofMillis(500))
                            .map(r -> r.getHeader().getError().hasRegionNotFound()).orElse(false));
            client.mustPut("k", "v1", MUST);
            awaitPeerBack(cluster, store);
            client.mustPut("k", "v2", MUST);
            assertEquals(Optional.of("v2"), client.mustGet("k", MUST));
            awaitApplied(cluster, store, "v2");
            cluster.assertLinearizable();
        }
    }

    /**
     * Kv writes of the leader fail (injected into its store's kv writer): the peer restarts from disk and
     * re-applies the entry whose apply failed; that fails again twice (a short crash loop, restarted after a
     * growing backoff), then succeeds, and the peer catches up. Nothing acknowledged is lost.
     */
    @Test
    void aFailedWriteRestartsThePeerFromDisk() {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("PeerWriteFails").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10)))) {
            RecordedClient client = cluster.client(0);
            client.mustPut("k", "v0", MUST);
            PeerStatus leader = cluster.awaitLeader(REGION, MUST);
            long store = leader.storeId();

            cluster.node(store).store().tell(new StoreCommand.InjectWriteFailure(true,
                    new WriterCommand.InjectFailure(batch -> true, 3)));
            // The apply of this put fails on the leader: its outcome may be unknown to the client.
            client.put("k", "v1");
            client.mustPut("k", "v2", MUST);
            awaitPeerBack(cluster, store);
            client.mustPut("k", "v3", MUST);
            assertEquals(Optional.of("v3"), client.mustGet("k", MUST));
            awaitApplied(cluster, store, "v3");
            cluster.assertLinearizable();
        }
    }

    private static void awaitPeerBack(TestCluster cluster, long store) {
        ClusterSystems.awaitCondition("the peer of region " + REGION + " on store " + store + " is back", MUST,
                () -> cluster.statuses(REGION).stream().anyMatch(p -> p.storeId() == store));
    }

    /** The restarted peer applies the region's later writes too (its kv data, read without raft). */
    private static void awaitApplied(TestCluster cluster, long store, String value) {
        ClusterSystems.awaitCondition("store " + store + " applied " + value, MUST,
                () -> cluster.engineGet(store, "k").equals(Optional.of(value)));
        assertTrue(cluster.statuses(REGION).size() == 3, "every store has its peer");
    }

    private static RaftCmdRequest get() {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(REGION).setUuid(ByteString.copyFromUtf8("sup")))
                .addRequests(Request.newBuilder().setCmdType(CmdType.Get)
                        .setGet(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))))
                .build();
    }
}
