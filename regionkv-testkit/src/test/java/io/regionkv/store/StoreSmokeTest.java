package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.RegionKvNode;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSmokeTest {

    @Test
    void threeNodesReplicateAPut(@TempDir Path base) throws Exception {
        List<ActorSystem<Void>> systems = new ArrayList<>();
        List<RegionKvNode> nodes = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                ActorSystem<Void> s = ClusterSystems.startNode(systems.isEmpty() ? null : systems.get(0));
                systems.add(s);
                StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                        "regionkv.initial-stores = [1,2,3]\nregionkv.raft.tick-interval = 50ms\nregionkv.store-id = " + i
                        + "\nregionkv.data-dir = \"" + base.resolve("s" + i) + "\"")
                        .withFallback(ConfigFactory.load()));
                nodes.add(RegionKvNode.start(s, settings, new ArteryRaftTransport(StoreDirectory.get(s))));
            }
            ClusterSystems.awaitUp(systems, Duration.ofSeconds(30));
            ActorSystem<Void> client = systems.get(0);
            ByteString k = ByteString.copyFromUtf8("hello");
            RaftCmdRequest put = RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder().setRegionId(1))
                    .addRequests(Request.newBuilder().setCmdType(CmdType.Put)
                            .setPut(PutRequest.newBuilder().setKey(k).setValue(ByteString.copyFromUtf8("world"))))
                    .build();
            RaftCmdResponse r = sendToLeader(client, put);
            assertFalse(r.getHeader().hasError(), r.toString());
            RaftCmdRequest get = RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder().setRegionId(1))
                    .addRequests(Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setKey(k)))
                    .build();
            RaftCmdResponse g = sendToLeader(client, get);
            assertEquals("world", g.getResponses(0).getGet().getValue().toStringUtf8(), g.toString());
        } finally {
            ClusterSystems.terminate(systems);
        }
    }

    private static RaftCmdResponse sendToLeader(ActorSystem<?> system, RaftCmdRequest req) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RaftCmdResponse last = null;
        while (System.nanoTime() < deadline) {
            for (long store = 1; store <= 3; store++) {
                var ref = StoreDirectory.get(system).lookup(store);
                if (ref.isEmpty()) continue;
                CommandReply reply = AskPattern.<io.regionkv.transport.StoreWire, CommandReply>ask(ref.get(),
                        replyTo -> CommandEnvelope.of(req, replyTo), Duration.ofSeconds(5), system.scheduler())
                        .toCompletableFuture().get();
                last = reply.single();
                if (!last.getHeader().hasError()) return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader answered: " + last);
    }
}
