package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.engine.Db;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.RegionKvNode;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backpressure: one region flooded with far more commands than its peer may hold. Past the bounds the store
 * answers ServerIsBusy with a backoff hint and changes nothing; every command is answered exactly once,
 * every acknowledged write is there and no refused one is; and work still gets done. The client honours the
 * hint and retries until all of its writes are in.
 */
class FlowControlTest {

    private static final int BOUND = 8;
    private static final int FLOOD = 2000;
    private static ActorTestKit kit;
    private static RegionKvNode node;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("regionkv-flow");
        kit = ActorTestKit.create(ConfigFactory.parseString("regionkv.raft.tick-interval = 20ms\n"
                + "regionkv.flow-control.max-proposals-per-peer = " + BOUND + "\n"
                + "regionkv.flow-control.max-pending-reads-per-peer = " + BOUND + "\n"
                + "regionkv.flow-control.busy-backoff = 5ms")
                .withFallback(ConfigFactory.load()));
        StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.store-id = 1\nregionkv.initial-stores = [1]\nregionkv.data-dir = \"" + dir + "\"")
                .withFallback(kit.system().settings().config()));
        node = RegionKvNode.start(kit.system(), settings, new ArteryRaftTransport(StoreDirectory.get(kit.system())));
        awaitLeader();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
        TempDirs.deleteTree(dir);
    }

    @Test
    void aFloodOfWritesGetsServerIsBusyPastTheBoundAndLosesNothing() {
        Map<String, RaftCmdResponse> answers = flood("w", i -> put("w" + i, "v" + i));
        List<String> ok = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        split(answers, ok, busy);
        System.out.println("FlowControlTest writes: " + ok.size() + " acknowledged, " + busy.size() + " busy of " + FLOOD);
        assertTrue(busy.size() > 0, "no ServerIsBusy although " + FLOOD + " writes met a bound of " + BOUND);
        assertTrue(ok.size() >= BOUND, "no progress: " + ok.size() + " writes acknowledged");
        try (ReadView view = node.engines().kv().readView()) {
            for (String uuid : ok) {
                int i = Integer.parseInt(uuid.substring(1));
                assertEquals("v" + i, text(view.get(Db.DEFAULT, bytes("w" + i).toByteArray())), "acknowledged " + uuid + " is missing");
            }
            for (String uuid : busy) {
                assertNull(view.get(Db.DEFAULT, bytes("w" + uuid.substring(1)).toByteArray()), "refused " + uuid + " was applied");
            }
        }
    }

    @Test
    void aFloodOfReadsGetsServerIsBusyPastTheBoundAndTheRestAreServed() {
        Map<String, RaftCmdResponse> answers = flood("r", i -> get("w-none"));
        List<String> ok = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        split(answers, ok, busy);
        System.out.println("FlowControlTest reads: " + ok.size() + " served, " + busy.size() + " busy of " + FLOOD);
        assertTrue(busy.size() > 0, "no ServerIsBusy although " + FLOOD + " reads met a bound of " + BOUND);
        assertTrue(ok.size() >= BOUND, "no progress: " + ok.size() + " reads served");
        for (String uuid : ok) {
            assertTrue(answers.get(uuid).getResponses(0).getGet().getNotFound(), uuid);
        }
    }

    /** The client takes ServerIsBusy as "wait the hint, then again": every one of its writes gets in. */
    @Test
    void theClientHonoursServerIsBusyAndEveryWriteLands() throws Exception {
        RegionKvClient client = new RegionKvClient(kit.system(), ClientSettings.defaults()
                .withInitialStores(List.of(1L)).withRequestTimeout(Duration.ofSeconds(60))
                .withBusyBudget(Duration.ofSeconds(60)));
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            puts.add(client.put(bytes("c" + i), bytes("v" + i)).toCompletableFuture());
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        try (ReadView view = node.engines().kv().readView()) {
            for (int i = 0; i < FLOOD; i++) {
                assertEquals("v" + i, text(view.get(Db.DEFAULT, bytes("c" + i).toByteArray())), "c" + i);
            }
        }
        for (int i = 0; i < FLOOD; i += 97) {
            assertEquals(Optional.of(bytes("v" + i)), client.get(bytes("c" + i)).toCompletableFuture().get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * The refusals of a burst travel together: one reply per client and mailbox batch, not one per command.
     * One message per refusal overflowed Artery's outbound queue under 20,000 in flight, and Artery drops
     * what does not fit, so refused clients waited out their deadlines ("outcome unknown").
     */
    @Test
    void theRefusalsOfABurstAreFoldedIntoFewReplies() {
        int[] replies = new int[2]; // replies carrying ServerIsBusy answers, and the most in one of them
        Map<String, RaftCmdResponse> answers = flood("b", i -> put("b" + i, "v" + i), reply -> {
            long busy = reply.responses().stream().filter(r -> r.getHeader().getError().hasServerIsBusy()).count();
            if (busy > 0) {
                replies[0]++;
                replies[1] = Math.max(replies[1], (int) busy);
            }
        });
        List<String> ok = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        split(answers, ok, busy);
        System.out.println("FlowControlTest refusals: " + busy.size() + " busy answers in " + replies[0]
                + " replies, at most " + replies[1] + " in one");
        assertTrue(busy.size() > 0, "no ServerIsBusy although " + FLOOD + " writes met a bound of " + BOUND);
        assertTrue(replies[1] > 1, "every refusal travelled alone: " + replies[0] + " replies for " + busy.size());
    }

    /** Sends FLOOD commands at once, in envelopes of 100, and collects one answer per uuid. */
    private static Map<String, RaftCmdResponse> flood(String prefix, java.util.function.IntFunction<Request> request) {
        return flood(prefix, request, reply -> {});
    }

    private static Map<String, RaftCmdResponse> flood(String prefix, java.util.function.IntFunction<Request> request,
            java.util.function.Consumer<CommandReply> eachReply) {
        TestProbe<CommandReply> probe = kit.createTestProbe();
        List<RaftCmdRequest> envelope = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            envelope.add(RaftCmdRequest.newBuilder()
                    .setHeader(RaftRequestHeader.newBuilder().setRegionId(RegionKvNode.FIRST_REGION_ID)
                            .setUuid(bytes(prefix + i)))
                    .addRequests(request.apply(i)).build());
            if (envelope.size() == 100) {
                node.store().tell(new StoreCommand.Inbound(new CommandEnvelope(envelope, probe.getRef())));
                envelope = new ArrayList<>();
            }
        }
        Map<String, RaftCmdResponse> byUuid = new HashMap<>();
        while (byUuid.size() < FLOOD) {
            CommandReply reply = probe.receiveMessage(Duration.ofSeconds(30));
            eachReply.accept(reply);
            for (RaftCmdResponse r : reply.responses()) {
                RaftCmdResponse earlier = byUuid.put(r.getHeader().getUuid().toStringUtf8(), r);
                assertNull(earlier, "answered twice: " + r);
            }
        }
        probe.expectNoMessage(Duration.ofMillis(200));
        return byUuid;
    }

    private static void split(Map<String, RaftCmdResponse> answers, List<String> ok, List<String> busy) {
        for (Map.Entry<String, RaftCmdResponse> e : answers.entrySet()) {
            Errorpb.Error error = e.getValue().getHeader().getError();
            if (!e.getValue().getHeader().hasError()) {
                ok.add(e.getKey());
            } else if (error.hasServerIsBusy()) {
                assertTrue(error.getServerIsBusy().getBackoffMs() > 0, "no backoff hint: " + error);
                busy.add(e.getKey());
            } else {
                throw new AssertionError(e.getKey() + ": neither done nor busy: " + e.getValue());
            }
        }
    }

    private static void awaitLeader() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            TestProbe<CommandReply> probe = kit.createTestProbe();
            node.store().tell(new StoreCommand.Inbound(CommandEnvelope.of(RaftCmdRequest.newBuilder()
                    .setHeader(RaftRequestHeader.newBuilder().setRegionId(RegionKvNode.FIRST_REGION_ID).setUuid(bytes("warm")))
                    .addRequests(put("warm", "x")).build(), probe.getRef())));
            if (!probe.receiveMessage(Duration.ofSeconds(10)).single().getHeader().hasError()) return;
        }
        throw new AssertionError("no leader");
    }

    private static Request put(String k, String v) {
        return Request.newBuilder().setCmdType(CmdType.Put)
                .setPut(PutRequest.newBuilder().setKey(bytes(k)).setValue(bytes(v))).build();
    }

    private static Request get(String k) {
        return Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setKey(bytes(k))).build();
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
