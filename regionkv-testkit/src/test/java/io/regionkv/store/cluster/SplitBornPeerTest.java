package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.client.RegionKvClient;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.store.Bootstrap;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import io.regionkv.transport.RaftEnvelope;
import io.regionkv.transport.StoreDirectory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A store that already holds a split-born region's state on disk, when a message of that region's
 * leader arrives before the store heard of the split, starts the peer from that state (with the
 * region's peers), not empty. The race itself (the split's peer telling the store the shrunk range just
 * before the split) cannot be timed from outside, so its outcome is set up directly: a free key range
 * on store 3 and a region's state written into its kv engine as a split would write it.
 */
class SplitBornPeerTest {

    @Test
    void aMessageForARegionWhoseStateASplitWroteStartsThePeerFromThatState() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("SplitBornPeer").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10)))) {
            RegionKvClient client = cluster.schedulerClient(1);
            ByteString m = ByteString.copyFromUtf8("m");
            client.split(m).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long right = cluster.awaitRegionStartingAt(m, Duration.ofSeconds(30));
            // Free [m, +inf) on store 3: its peer of the right half is removed (and tombstoned).
            client.removePeer(right, 3).toCompletableFuture().get(30, TimeUnit.SECONDS);
            ClusterSystems.awaitCondition("store 3 dropped region " + right, Duration.ofSeconds(30),
                    () -> cluster.statuses(right).stream().noneMatch(s -> s.storeId() == 3));

            // A region over the free range as a split applied on store 3 would have written it.
            long id = 90_000;
            Region born = Region.newBuilder().setId(id).setStartKey(m)
                    .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(1).setVersion(3))
                    .addPeers(Peer.newBuilder().setId(id + 1).setStoreId(1))
                    .addPeers(Peer.newBuilder().setId(id + 2).setStoreId(2))
                    .addPeers(Peer.newBuilder().setId(id + 3).setStoreId(3)).build();
            WriteBatch kv = new WriteBatch();
            Bootstrap.initialKvState(born, kv);
            cluster.engines(3).kv().commit(kv);

            // Its leader's heartbeat reaches store 3, which has no peer of it yet.
            RaftMessage heartbeat = RaftMessage.newBuilder().setRegionId(id).setFromPeer(born.getPeers(0))
                    .setToPeer(born.getPeers(2)).setRegionEpoch(born.getRegionEpoch()).setStartKey(m)
                    .setMessage(Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(id + 1)
                            .setTo(id + 3).setTerm(6))
                    .build();
            StoreDirectory.get(cluster.system(3)).lookup(3).orElseThrow().tell(new RaftEnvelope(heartbeat));

            ClusterSystems.awaitCondition("store 3 started a peer of region " + id, Duration.ofSeconds(30),
                    () -> peerOn3(cluster, id).isPresent());
            assertEquals(born.getPeersList(), peerOn3(cluster, id).orElseThrow().region().getPeersList(),
                    "the peer knows its region's members (an empty peer would refuse the region's splits)");
        }
    }

    private static Optional<PeerStatus> peerOn3(TestCluster cluster, long regionId) {
        return cluster.statuses(regionId).stream().filter(s -> s.storeId() == 3).findFirst();
    }
}
