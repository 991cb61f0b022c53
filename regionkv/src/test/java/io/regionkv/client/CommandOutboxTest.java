package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the client folds commands to one store into envelopes: what goes together, in which order, how big. */
class CommandOutboxTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** An executor that runs nothing until told to, so a test decides when the outbox's flush happens. */
    private static final class ManualExecutor implements java.util.concurrent.Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) tasks.poll().run();
        }
    }

    private static RaftCmdRequest put(int n, int valueBytes) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(1).setUuid(ByteString.copyFromUtf8("u" + n)))
                .addRequests(Request.newBuilder().setCmdType(CmdType.Put).setPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k" + n)).setValue(ByteString.copyFrom(new byte[valueBytes]))))
                .build();
    }

    private static List<RaftCmdRequest> receiveAll(TestProbe<StoreWire> store, int commands) {
        List<RaftCmdRequest> got = new ArrayList<>();
        while (got.size() < commands) {
            got.addAll(((CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5))).requests());
        }
        return got;
    }

    @Test
    void commandsIssuedBeforeTheFlushRunsTravelInOneEnvelopeInOrder() {
        TestProbe<StoreWire> store = kit.createTestProbe();
        TestProbe<CommandReply> replies = kit.createTestProbe();
        ManualExecutor executor = new ManualExecutor();
        CommandOutbox outbox = new CommandOutbox(store.getRef(), replies.getRef(), executor);

        List<RaftCmdRequest> sent = List.of(put(1, 10), put(2, 10), put(3, 10));
        sent.forEach(outbox::send);
        assertEquals(1, executor.tasks.size(), "one flush for the whole burst");
        store.expectNoMessage(Duration.ofMillis(50));
        executor.runAll();

        CommandEnvelope envelope = (CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5));
        assertEquals(sent, envelope.requests());
        assertEquals(replies.getRef(), envelope.replyTo());
        store.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aCommandAfterTheFlushSchedulesTheNextOne() {
        TestProbe<StoreWire> store = kit.createTestProbe();
        ManualExecutor executor = new ManualExecutor();
        CommandOutbox outbox = new CommandOutbox(store.getRef(), kit.<CommandReply>createTestProbe().getRef(), executor);

        outbox.send(put(1, 10));
        executor.runAll();
        outbox.send(put(2, 10));
        assertEquals(1, executor.tasks.size(), "nothing may be left behind once a flush has run");
        executor.runAll();
        assertEquals(List.of(put(1, 10)), ((CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5))).requests());
        assertEquals(List.of(put(2, 10)), ((CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5))).requests());
    }

    @Test
    void envelopesStayUnderTheByteBoundAndALargeCommandTravelsAlone() {
        TestProbe<StoreWire> store = kit.createTestProbe();
        ManualExecutor executor = new ManualExecutor();
        CommandOutbox outbox = new CommandOutbox(store.getRef(), kit.<CommandReply>createTestProbe().getRef(), executor);

        int third = CommandOutbox.MAX_BYTES / 3;
        List<RaftCmdRequest> sent = List.of(put(1, third), put(2, third), put(3, third), put(4, 2 * CommandOutbox.MAX_BYTES),
                put(5, 10));
        sent.forEach(outbox::send);
        executor.runAll();

        List<RaftCmdRequest> got = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        while (got.size() < sent.size()) {
            CommandEnvelope e = (CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5));
            long bytes = e.requests().stream().mapToLong(RaftCmdRequest::getSerializedSize).sum();
            assertTrue(e.requests().size() == 1 || bytes <= CommandOutbox.MAX_BYTES, "envelope of " + bytes + " bytes");
            sizes.add(e.requests().size());
            got.addAll(e.requests());
        }
        assertEquals(sent, got, "order survives the split");
        assertEquals(List.of(2, 1, 1, 1), sizes);
    }

    @Test
    void envelopesStayUnderTheCommandBound() {
        TestProbe<StoreWire> store = kit.createTestProbe();
        ManualExecutor executor = new ManualExecutor();
        CommandOutbox outbox = new CommandOutbox(store.getRef(), kit.<CommandReply>createTestProbe().getRef(), executor);

        List<RaftCmdRequest> sent = new ArrayList<>();
        for (int i = 0; i < CommandOutbox.MAX_COMMANDS + 10; i++) sent.add(put(i, 1));
        sent.forEach(outbox::send);
        executor.runAll();

        CommandEnvelope first = (CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5));
        CommandEnvelope second = (CommandEnvelope) store.receiveMessage(Duration.ofSeconds(5));
        assertEquals(CommandOutbox.MAX_COMMANDS, first.requests().size());
        assertEquals(10, second.requests().size());
        List<RaftCmdRequest> got = new ArrayList<>(first.requests());
        got.addAll(second.requests());
        assertEquals(sent, got);
    }

    @Test
    void concurrentSendersLoseNothing() throws Exception {
        TestProbe<StoreWire> store = kit.createTestProbe();
        CommandOutbox outbox = new CommandOutbox(store.getRef(), kit.<CommandReply>createTestProbe().getRef(),
                kit.system().executionContext());
        int threads = 4;
        int perThread = 500;
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            senders.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) outbox.send(put(base + i, 1));
            }));
        }
        senders.forEach(Thread::start);
        for (Thread t : senders) t.join();
        List<RaftCmdRequest> got = receiveAll(store, threads * perThread);
        assertEquals(threads * perThread, got.size());
        assertEquals(threads * perThread, got.stream().map(r -> r.getHeader().getUuid()).distinct().count());
        store.expectNoMessage(Duration.ofMillis(100));
    }
}
