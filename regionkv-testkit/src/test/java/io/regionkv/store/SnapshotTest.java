package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.ChangePeerRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.TransferLeaderRequest;
import io.regionkv.raft.StateType;
import io.regionkv.RegionKvNode;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.testkit.FaultInjectingTransport;
import io.regionkv.testkit.NetworkFaults;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Log GC and snapshots across real nodes: a store cut off while the log is compacted catches up through a
 * streamed snapshot that carries deletes, and a store added to the region is filled by one.
 */
class SnapshotTest {

    private static final Duration T = Duration.ofSeconds(30);

    private Path base;
    private final NetworkFaults faults = new NetworkFaults(seed());
    private final Map<Long, ActorSystem<Void>> systems = new HashMap<>();
    private final Map<Long, RegionKvNode> nodes = new HashMap<>();
    private ActorSystem<Void> clientNode;
    private RegionKvClient client;

    private static long seed() {
        long seed = Long.getLong("regionkv.test.seed", System.nanoTime());
        System.out.println("SnapshotTest seed " + seed);
        return seed;
    }

    @BeforeEach
    void start() throws Exception {
        base = Files.createTempDirectory("regionkv-snap");
        clientNode = ClusterSystems.startNode(null);
        for (long id = 1; id <= 3; id++) startStore(id, List.of(1L, 2L, 3L));
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        client = new RegionKvClient(clientNode, ClientSettings.defaults().withInitialStores(List.of(1L, 2L, 3L))
                .withRequestTimeout(Duration.ofSeconds(15)));
    }

    @AfterEach
    void stop() {
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.terminate(all);
        io.regionkv.testkit.TempDirs.deleteTree(base);
    }

    private void startStore(long id, List<Long> initial) {
        ActorSystem<Void> s = ClusterSystems.startNode(clientNode);
        StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.raft.tick-interval = 30ms\nregionkv.raft.log-gc-tick-interval = 2\n"
                        + "regionkv.raft.log-gc-count-limit = 10\nregionkv.store-id = " + id
                        + "\nregionkv.initial-stores = " + initial + "\nregionkv.data-dir = \"" + base.resolve("s" + id) + "\"")
                .withFallback(ConfigFactory.load()));
        RegionKvNode node = RegionKvNode.start(s, settings, new FaultInjectingTransport(
                new ArteryRaftTransport(StoreDirectory.get(s)), faults, s.scheduler(), s.executionContext()));
        systems.put(id, s);
        nodes.put(id, node);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private PeerStatus status(long store) throws Exception {
        return nodes.get(store).status().toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
    }

    private long leaderStore() throws Exception {
        for (long id : nodes.keySet()) {
            PeerStatus s = nodes.get(id).status().toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
            if (s.role() == StateType.LEADER) return id;
        }
        return 0;
    }

    private RaftCmdResponse adminToLeader(AdminRequest admin) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        RaftCmdResponse last = null;
        while (System.nanoTime() < deadline) {
            long leader = leaderStore();
            if (leader != 0) {
                PeerStatus st = status(leader);
                RaftCmdRequest req = RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder()
                        .setRegionId(1).setRegionEpoch(st.region().getRegionEpoch())).setAdminRequest(admin).build();
                last = AskPattern.<StoreWire, CommandReply>ask(StoreDirectory.get(clientNode).lookup(leader).orElseThrow(),
                        r -> CommandEnvelope.of(req, r), Duration.ofSeconds(10), clientNode.scheduler())
                        .toCompletableFuture().get().single();
                if (!last.getHeader().hasError()) return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("admin command failed: " + last);
    }

    private void transferLeaderTo(long store) throws Exception {
        ClusterSystems.awaitCondition("store " + store + " leads", T, () -> {
            try {
                if (leaderStore() == store) return true;
                Peer target = status(leaderStore()).region().getPeersList().stream()
                        .filter(p -> p.getStoreId() == store).findFirst().orElseThrow();
                adminToLeader(AdminRequest.newBuilder().setCmdType(AdminCmdType.TransferLeader)
                        .setTransferLeader(TransferLeaderRequest.newBuilder().setPeer(target)).build());
                Thread.sleep(200);
                return leaderStore() == store;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void isolatedStoreCatchesUpBySnapshotThatCarriesDeletes() throws Exception {
        client.put(b("doomed"), b("x")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        ClusterSystems.awaitCondition("store 3 has the first write", T, () -> {
            try {
                return status(3).appliedIndex() >= status(leaderStore()).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        transferLeaderTo(1);
        faults.isolate(3);
        long lastOn3 = status(3).lastIndex();
        client.delete(b("doomed")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 60; i++) {
            client.put(b("k" + i), b("v" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        ClusterSystems.awaitCondition("the leader compacted past store 3's log", T, () -> {
            try {
                return status(1).firstIndex() > lastOn3 + 1;
            } catch (Exception e) {
                return false;
            }
        });
        faults.heal();
        ClusterSystems.awaitCondition("store 3 caught up", T, () -> {
            try {
                return status(3).appliedIndex() >= status(1).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(status(3).firstIndex() > lastOn3 + 1, "store 3 was filled by a snapshot, not by replay");
        // The operators' counters saw it: generated and streamed by the leader, received and installed by 3.
        StoreMetrics leader = nodes.get(1L).metrics();
        StoreMetrics follower = nodes.get(3L).metrics();
        assertTrue(leader.snapshotsGenerated() >= 1, "snapshot generated on store 1");
        assertTrue(leader.snapshotBytesSent() > 0, "snapshot bytes sent by store 1");
        assertTrue(follower.snapshotBytesReceived() > 0, "snapshot bytes received by store 3");
        assertTrue(follower.snapshotsApplied() >= 1, "snapshot installed on store 3");
        transferLeaderTo(3); // reads now come from store 3's own data
        assertFalse(client.get(b("doomed")).toCompletableFuture().get(20, TimeUnit.SECONDS).isPresent());
        for (int i = 0; i < 60; i++) {
            assertEquals(b("v" + i), client.get(b("k" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS).orElseThrow());
        }
    }

    @Test
    void storeAddedToTheRegionIsFilledBySnapshot() throws Exception {
        for (int i = 0; i < 40; i++) {
            client.put(b("k" + i), b("v" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        startStore(4, List.of(1L, 2L, 3L));
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        RaftCmdResponse added = adminToLeader(AdminRequest.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerRequest.newBuilder().setChangeType(ConfChangeType.AddNode)
                        .setPeer(Peer.newBuilder().setId(4).setStoreId(4))).build());
        assertEquals(4, added.getAdminResponse().getChangePeer().getRegion().getPeersCount());
        ClusterSystems.awaitCondition("store 4 caught up", T, () -> {
            try {
                List<PeerStatus> s4 = nodes.get(4L).status().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return !s4.isEmpty() && s4.get(0).appliedIndex() >= status(leaderStore()).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        transferLeaderTo(4);
        for (int i = 0; i < 40; i++) {
            assertEquals(b("v" + i), client.get(b("k" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS).orElseThrow());
        }
    }

    @Test
    void removedPeerIsWipedAndItsStoreRejoinsWithANewPeer() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.put(b("k" + i), b("v" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        transferLeaderTo(1);
        RaftCmdResponse removed = adminToLeader(AdminRequest.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerRequest.newBuilder().setChangeType(ConfChangeType.RemoveNode)
                        .setPeer(Peer.newBuilder().setId(3).setStoreId(3))).build());
        assertEquals(2, removed.getAdminResponse().getChangePeer().getRegion().getPeersCount());
        ClusterSystems.awaitCondition("store 3 holds no peer", T, () -> {
            try {
                return nodes.get(3L).status().toCompletableFuture().get(10, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
        // The region goes on with two peers.
        client.put(b("after-remove"), b("1")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        // Store 3's data is gone: look at its LMDB directory once the node is down, then bring it back.
        ActorSystem<Void> s3 = systems.remove(3L);
        nodes.remove(3L);
        ClusterSystems.downAndTerminate(s3, clientNode);
        try (io.regionkv.engine.Engines e = io.regionkv.engine.Engines.open(base.resolve("s3"),
                io.regionkv.engine.EngineConfig.defaults());
                io.regionkv.engine.ReadView v = e.kv().readView()) {
            assertTrue(v.scan(io.regionkv.engine.Db.DEFAULT, io.regionkv.engine.KeySpan.ALL, 1).isEmpty(),
                    "a removed peer's data is wiped");
        }
        startStore(3, List.of(1L, 2L, 3L));
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        RaftCmdResponse readded = adminToLeader(AdminRequest.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerRequest.newBuilder().setChangeType(ConfChangeType.AddNode)
                        .setPeer(Peer.newBuilder().setId(5).setStoreId(3))).build());
        assertEquals(3, readded.getAdminResponse().getChangePeer().getRegion().getPeersCount());
        ClusterSystems.awaitCondition("store 3's new peer caught up", T, () -> {
            try {
                List<PeerStatus> s = nodes.get(3L).status().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return !s.isEmpty() && s.get(0).self().getId() == 5
                        && s.get(0).appliedIndex() >= status(leaderStore()).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        transferLeaderTo(3);
        assertEquals(b("1"), client.get(b("after-remove")).toCompletableFuture().get(20, TimeUnit.SECONDS).orElseThrow());
        for (int i = 0; i < 20; i++) {
            assertEquals(b("v" + i), client.get(b("k" + i)).toCompletableFuture().get(20, TimeUnit.SECONDS).orElseThrow());
        }
    }
}
