package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's per-store window ({@link StoreWindow} inside {@link ReplyRouter}), against a probe standing in
 * for a store's wire actor that answers only when the test says so. No timing is asserted: short timeouts
 * only make the tests quick, and every wait is for an event.
 */
class StoreWindowTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static RaftCmdRequest get(ReplyRouter router, int n) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(1).setUuid(router.nextUuid()))
                .addRequests(Request.newBuilder().setCmdType(CmdType.Get)
                        .setGet(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k" + n))))
                .build();
    }

    private static long deadlineIn(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    /** Receives envelopes until {@code n} commands arrived; the probe must then stay quiet. */
    private static List<CommandEnvelope> receiveCommands(TestProbe<StoreWire> store, int n) {
        List<CommandEnvelope> got = new ArrayList<>();
        int commands = 0;
        while (commands < n) {
            CommandEnvelope e = (CommandEnvelope) store.receiveMessage(Duration.ofSeconds(10));
            got.add(e);
            commands += e.requests().size();
        }
        assertEquals(n, commands, "more commands than the window allows");
        return got;
    }

    private static void answer(CommandEnvelope envelope, RaftCmdRequest request) {
        envelope.replyTo().tell(CommandReply.of(RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(request.getHeader().getUuid())).build()));
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("completed normally");
    }

    @Test
    void atMostTheWindowIsOutstandingAndEachAnswerLetsOneMoreGo() throws Exception {
        int window = 4;
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(1), window, 100);
        TestProbe<StoreWire> store = kit.createTestProbe();
        List<CompletableFuture<RaftCmdResponse>> answers = new ArrayList<>();
        List<RaftCmdRequest> issued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RaftCmdRequest r = get(router, i);
            issued.add(r);
            answers.add(router.send(store.getRef(), r, deadlineIn(LONG), LONG));
        }
        List<CommandEnvelope> first = receiveCommands(store, window);
        store.expectNoMessage(Duration.ofMillis(200));
        assertEquals(window, router.inFlight(store.getRef()));
        assertEquals(6, router.queued(store.getRef()));
        List<RaftCmdRequest> sent = new ArrayList<>();
        first.forEach(e -> sent.addAll(e.requests()));
        assertEquals(issued.subList(0, window), sent, "the first issued go first");

        answer(first.get(0), sent.get(0));
        answers.get(0).get(30, TimeUnit.SECONDS);
        List<CommandEnvelope> next = receiveCommands(store, 1);
        assertEquals(issued.get(window), next.get(0).requests().get(0), "the oldest waiting one goes next");
        store.expectNoMessage(Duration.ofMillis(200));
        assertEquals(window, router.inFlight(store.getRef()));
        assertEquals(5, router.queued(store.getRef()));
    }

    @Test
    void aQueuedCommandWhoseDeadlinePassesFailsNotSentAndIsNeverSent() throws Exception {
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(2), 1, 100);
        TestProbe<StoreWire> store = kit.createTestProbe();
        RaftCmdRequest blocker = get(router, 0);
        router.send(store.getRef(), blocker, deadlineIn(LONG), LONG);
        CommandEnvelope sent = receiveCommands(store, 1).get(0);

        CompletableFuture<RaftCmdResponse> queued = router.send(store.getRef(), get(router, 1),
                deadlineIn(Duration.ofMillis(100)), LONG);
        NotSentException e = assertInstanceOf(NotSentException.class, failure(queued));
        assertEquals(NotSentException.Reason.DEADLINE_PASSED_IN_QUEUE, e.reason());
        assertEquals(0, router.queued(store.getRef()));

        answer(sent, blocker); // the slot frees; the expired command must not go out with it
        store.expectNoMessage(Duration.ofMillis(300));
        assertEquals(0, router.inFlight(store.getRef()));
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(3), 1, 2);
        TestProbe<StoreWire> store = kit.createTestProbe();
        for (int i = 0; i < 3; i++) router.send(store.getRef(), get(router, i), deadlineIn(LONG), LONG);
        CompletableFuture<RaftCmdResponse> refused = router.send(store.getRef(), get(router, 3), deadlineIn(LONG), LONG);
        assertTrue(refused.isDone(), "refused without waiting");
        assertEquals(NotSentException.Reason.QUEUE_FULL,
                assertInstanceOf(NotSentException.class, failure(refused)).reason());
    }

    @Test
    void aStoreThatNeverAnswersLeaksNoSlot() throws Exception {
        int window = 3;
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(4), window, 1000);
        TestProbe<StoreWire> store = kit.createTestProbe();
        List<CompletableFuture<RaftCmdResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(router.send(store.getRef(), get(router, i), deadlineIn(LONG), Duration.ofMillis(50)));
        }
        // Each attempt times out unanswered, and each timeout lets the next queued one go: all 20 are sent.
        Set<ByteString> sent = new HashSet<>();
        for (CommandEnvelope e : receiveCommands(store, 20)) e.requests().forEach(r -> sent.add(r.getHeader().getUuid()));
        assertEquals(20, sent.size());
        for (CompletableFuture<RaftCmdResponse> a : answers) assertInstanceOf(TimeoutException.class, failure(a));
        assertEquals(0, router.inFlight(store.getRef()), "every slot came back");
        assertEquals(0, router.queued(store.getRef()));

        // And the window is whole again: a full window's worth goes out at once.
        for (int i = 0; i < window; i++) router.send(store.getRef(), get(router, 100 + i), deadlineIn(LONG), LONG);
        receiveCommands(store, window);
        store.expectNoMessage(Duration.ofMillis(200));
    }
}
