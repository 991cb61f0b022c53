package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client's commands to a store become when the store's actor terminates with them outstanding.
 * The store here is a real actor that takes commands and never answers (a node that went away mid-way);
 * a write has no attempt timeout, so without the router's death watch these would wait a minute.
 */
class ReplyRouterTest {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static RaftCmdRequest put(ReplyRouter router, int n) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(1).setUuid(router.nextUuid()))
                .addRequests(Request.newBuilder().setCmdType(CmdType.Put).setPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k" + n)).setValue(ByteString.copyFromUtf8("v"))))
                .build();
    }

    /** A store that forwards what it receives to a probe and never answers. */
    private static ActorRef<StoreWire> silentStore(TestProbe<StoreWire> received, String name) {
        return kit.spawn(Behaviors.receiveMessage(m -> {
            received.ref().tell(m);
            return Behaviors.same();
        }), name);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void commandsOutstandingAtAStoreThatStopsFailAtOnce() throws Exception {
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(1), 1, 10);
        TestProbe<StoreWire> received = kit.createTestProbe();
        ActorRef<StoreWire> store = silentStore(received, "silent-store-1");
        long deadline = System.nanoTime() + MINUTE;

        CompletableFuture<?> sent = router.send(store, put(router, 1), deadline, Duration.ofNanos(Long.MAX_VALUE));
        CompletableFuture<?> queued = router.send(store, put(router, 2), deadline, Duration.ofNanos(Long.MAX_VALUE));
        received.expectMessageClass(CommandEnvelope.class); // the first left; the second waits for its slot
        assertEquals(1, router.inFlight(store));
        assertEquals(1, router.queued(store));
        assertFalse(sent.isDone());

        kit.stop(store);
        // Sent and unanswered: the outcome is unknown, and the caller learns it now, not at its deadline.
        assertInstanceOf(StoreStoppedException.class, failure(sent));
        // Never sent: known not applied, free to go to another store.
        Throwable q = failure(queued);
        assertInstanceOf(NotSentException.class, q);
        assertEquals(NotSentException.Reason.STORE_STOPPED, ((NotSentException) q).reason());
        received.expectNoMessage(Duration.ofMillis(200));

        // Later commands for the stopped reference are not sent into the void.
        Throwable later = failure(router.send(store, put(router, 3), deadline, Duration.ofNanos(Long.MAX_VALUE)));
        assertEquals(NotSentException.Reason.STORE_STOPPED, ((NotSentException) later).reason());
        assertEquals(0, router.inFlight(store));
    }

    @Test
    void anotherStoreIsNotAffected() throws Exception {
        ReplyRouter router = new ReplyRouter(kit.system(), new Random(2), 4, 10);
        TestProbe<StoreWire> goneReceived = kit.createTestProbe();
        TestProbe<StoreWire> liveReceived = kit.createTestProbe();
        ActorRef<StoreWire> gone = silentStore(goneReceived, "silent-store-2");
        ActorRef<StoreWire> live = silentStore(liveReceived, "silent-store-3");
        long deadline = System.nanoTime() + MINUTE;

        CompletableFuture<?> toGone = router.send(gone, put(router, 1), deadline, Duration.ofNanos(Long.MAX_VALUE));
        CompletableFuture<?> toLive = router.send(live, put(router, 2), deadline, Duration.ofNanos(Long.MAX_VALUE));
        goneReceived.expectMessageClass(CommandEnvelope.class);
        liveReceived.expectMessageClass(CommandEnvelope.class);
        kit.stop(gone);
        assertInstanceOf(StoreStoppedException.class, failure(toGone));
        Thread.sleep(200);
        assertFalse(toLive.isDone(), "an attempt at a store that did not stop keeps waiting for its answer");
        assertEquals(1, router.inFlight(live));
    }
}
