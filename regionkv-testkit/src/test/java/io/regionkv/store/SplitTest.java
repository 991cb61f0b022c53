package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.KvPair;
import io.regionkv.client.RegionKvClient;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.SplitRequest;
import io.regionkv.RegionKvNode;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region split through raft on three nodes: both halves serve their ranges, a request with the old
 * epoch or for a key outside a half is refused with a typed error, and the split survives a restart.
 */
class SplitTest {

    private static final Duration T = Duration.ofSeconds(20);

    private static StoreSettings settings(long id, Path dir) {
        return StoreSettings.fromConfig(ConfigFactory.parseString("regionkv.initial-stores = [1,2,3]\n"
                + "regionkv.raft.tick-interval = 30ms\nregionkv.store-id = " + id
                + "\nregionkv.data-dir = \"" + dir + "\"").withFallback(ConfigFactory.load()));
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void splitRegionServesBothHalvesAndSurvivesRestart(@TempDir Path base) throws Exception {
        List<ActorSystem<Void>> systems = new ArrayList<>();
        ActorSystem<Void> clientNode = ClusterSystems.startNode(null);
        try {
            startStores(base, systems, clientNode);
            RegionKvClient client = new RegionKvClient(clientNode,
                    ClientSettings.defaults().withInitialStores(List.of(1L, 2L, 3L)));
            for (char c = 'a'; c <= 'z'; c++) {
                client.put(b("" + c), b("v" + c)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
            RaftCmdResponse split = sendToLeader(clientNode, RaftCmdRequest.newBuilder()
                    .setHeader(RaftRequestHeader.newBuilder().setRegionId(1))
                    .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.Split)
                            .setSplit(SplitRequest.newBuilder().setSplitKey(b("m")).setNewRegionId(100)
                                    .addAllNewPeerIds(List.of(101L, 102L, 103L))))
                    .build());
            assertFalse(split.getHeader().hasError(), split.toString());
            Region left = split.getAdminResponse().getSplit().getRegions(0);
            Region right = split.getAdminResponse().getSplit().getRegions(1);
            assertEquals(b("m"), left.getEndKey());
            assertEquals(b("m"), right.getStartKey());
            assertEquals(2, left.getRegionEpoch().getVersion());

            // The left region no longer holds "n": a typed error, not a stale answer.
            RaftCmdResponse outside = sendToLeader(clientNode, RaftCmdRequest.newBuilder()
                    .setHeader(RaftRequestHeader.newBuilder().setRegionId(1).setRegionEpoch(left.getRegionEpoch()))
                    .addRequests(Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setKey(b("n"))))
                    .build(), true);
            assertTrue(outside.getHeader().getError().hasKeyNotInRegion(), outside.toString());
            // The old epoch is refused with the current region.
            RaftCmdResponse stale = sendToLeader(clientNode, RaftCmdRequest.newBuilder()
                    .setHeader(RaftRequestHeader.newBuilder().setRegionId(1)
                            .setRegionEpoch(left.getRegionEpoch().toBuilder().setVersion(1)))
                    .addRequests(Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setKey(b("a"))))
                    .build(), true);
            assertTrue(stale.getHeader().getError().hasEpochNotMatch(), stale.toString());

            // The client follows the new layout: writes and a scan across both halves.
            client.put(b("n"), b("new-n")).toCompletableFuture().get(20, TimeUnit.SECONDS);
            client.put(b("b"), b("new-b")).toCompletableFuture().get(20, TimeUnit.SECONDS);
            List<KvPair> all = client.scan(b(""), b(""), 100).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(26, all.size());
            assertEquals(b("new-n"), all.get('n' - 'a').value());
            assertEquals(b("new-b"), all.get(1).value());

            // Restart every store over the same data: both regions come back with their data.
            for (ActorSystem<Void> s : systems) ClusterSystems.downAndTerminate(s, clientNode);
            systems.clear();
            startStores(base, systems, clientNode);
            RegionKvClient fresh = new RegionKvClient(clientNode,
                    ClientSettings.defaults().withInitialStores(List.of(1L, 2L, 3L)));
            assertEquals(b("new-n"), fresh.get(b("n")).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow());
            assertEquals(b("vz"), fresh.get(b("z")).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow());
            assertEquals(b("va"), fresh.get(b("a")).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow());
        } finally {
            systems.add(clientNode);
            ClusterSystems.terminate(systems);
        }
    }

    private static void startStores(Path base, List<ActorSystem<Void>> systems, ActorSystem<Void> seed) {
        for (long id = 1; id <= 3; id++) {
            ActorSystem<Void> s = ClusterSystems.startNode(seed);
            systems.add(s);
            RegionKvNode.start(s, settings(id, base.resolve("s" + id)), new ArteryRaftTransport(StoreDirectory.get(s)));
        }
        List<ActorSystem<Void>> all = new ArrayList<>(systems);
        all.add((ActorSystem<Void>) seed);
        ClusterSystems.awaitUp(all, T);
    }

    private static RaftCmdResponse sendToLeader(ActorSystem<?> system, RaftCmdRequest req) throws Exception {
        return sendToLeader(system, req, false);
    }

    /** Sends to each store in turn until one answers without NotLeader (or, unless errorOk, without error). */
    private static RaftCmdResponse sendToLeader(ActorSystem<?> system, RaftCmdRequest req, boolean errorOk)
            throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        RaftCmdResponse last = null;
        while (System.nanoTime() < deadline) {
            for (long store = 1; store <= 3; store++) {
                var ref = StoreDirectory.get(system).lookup(store);
                if (ref.isEmpty()) continue;
                CommandReply reply = AskPattern.<StoreWire, CommandReply>ask(ref.get(),
                        replyTo -> CommandEnvelope.of(req, replyTo), Duration.ofSeconds(5), system.scheduler())
                        .toCompletableFuture().get();
                last = reply.single();
                if (!last.getHeader().hasError()) return last;
                if (errorOk && !last.getHeader().getError().hasNotLeader()) return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader answered in time: " + last);
    }
}
