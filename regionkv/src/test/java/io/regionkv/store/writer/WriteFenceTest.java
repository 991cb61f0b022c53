package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.WriteOp;
import io.regionkv.store.IoDispatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, "No holes": once a write of one sender (a peer incarnation) fails, none of its later writes
 * commits, whether it shared the failed group or came after; other senders are not affected.
 */
class WriteFenceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static ActorTestKit testKit;

    @TempDir
    Path dir;
    private Engine kv;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void close() {
        if (kv != null) kv.close();
    }

    @Test
    void afterASendersFirstFailedWriteNoLaterWriteOfItCommits() {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults().withSyncOnCommit(false));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-fence", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> a = testKit.createTestProbe();
        TestProbe<WriteResult> b = testKit.createTestProbe();
        TestProbe<WriterCommand.BarrierPassed> barrier = testKit.createTestProbe();

        writer.tell(new WriterCommand.InjectFailure(batch -> touches((WriteBatch) batch, "a1"), 1));
        // Sent back to back, so they likely share one group: its retry one by one must not let a2 through.
        writer.tell(new WriterCommand.Write(put("a1"), 1, a.getRef()));
        writer.tell(new WriterCommand.Write(put("b1"), 2, b.getRef()));
        writer.tell(new WriterCommand.Write(put("a2"), 3, a.getRef()));
        writer.tell(new WriterCommand.Barrier(7, barrier.getRef()));
        assertEquals(7, barrier.receiveMessage(TIMEOUT).token());
        // A later write of the failed sender, in a group of its own, is refused too.
        writer.tell(new WriterCommand.Write(put("a3"), 4, a.getRef()));
        writer.tell(new WriterCommand.Write(put("b2"), 5, b.getRef()));

        for (long id : new long[] {1, 3, 4}) {
            WriteResult r = a.receiveMessage(TIMEOUT);
            assertEquals(id, r.requestId());
            assertInstanceOf(WriteResult.WriteFailed.class, r, "write " + id + " of the failed sender");
        }
        for (long id : new long[] {2, 5}) {
            WriteResult r = b.receiveMessage(TIMEOUT);
            assertEquals(id, r.requestId());
            assertInstanceOf(WriteResult.Written.class, r, "write " + id + " of another sender");
        }
        try (ReadView view = kv.readView()) {
            assertNull(view.get(Db.DEFAULT, bytes("a1")));
            assertNull(view.get(Db.DEFAULT, bytes("a2")), "a2 committed after a1 failed: a hole");
            assertNull(view.get(Db.DEFAULT, bytes("a3")), "a3 committed after a1 failed: a hole");
            assertArrayEquals(bytes("v"), view.get(Db.DEFAULT, bytes("b1")));
            assertArrayEquals(bytes("v"), view.get(Db.DEFAULT, bytes("b2")));
        }
    }

    /** An engine's refusal at arrival (say, an oversize value) fences its sender just the same. */
    @Test
    void aWriteRefusedOnArrivalFencesItsSenderToo() {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults().withSyncOnCommit(false)
                .withMaxValueSize(16));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-refused", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> a = testKit.createTestProbe();
        WriteBatch tooBig = new WriteBatch();
        tooBig.put(Db.DEFAULT, bytes("a1"), new byte[17]);
        writer.tell(new WriterCommand.Write(tooBig, 1, a.getRef()));
        writer.tell(new WriterCommand.Write(put("a2"), 2, a.getRef()));
        assertInstanceOf(WriteResult.WriteFailed.class, a.receiveMessage(TIMEOUT));
        assertInstanceOf(WriteResult.WriteFailed.class, a.receiveMessage(TIMEOUT), "a2 after a1 was refused");
        try (ReadView view = kv.readView()) {
            assertNull(view.get(Db.DEFAULT, bytes("a2")));
        }
    }

    /** Fire-and-forget writes (log GC, wipes) share the ignore ref: one failure must not fence them all. */
    @Test
    void fireAndForgetWritesAreNotFenced() {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults().withSyncOnCommit(false));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-ignore", IoDispatcher.SELECTOR);
        TestProbe<WriterCommand.BarrierPassed> barrier = testKit.createTestProbe();
        ActorRef<WriteResult> ignore = testKit.system().ignoreRef();
        writer.tell(new WriterCommand.InjectFailure(batch -> touches((WriteBatch) batch, "g1"), 1));
        writer.tell(new WriterCommand.Write(put("g1"), 1, ignore));
        writer.tell(new WriterCommand.Barrier(1, barrier.getRef()));
        barrier.receiveMessage(TIMEOUT);
        writer.tell(new WriterCommand.Write(put("g2"), 2, testKit.system().ignoreRef()));
        writer.tell(new WriterCommand.Barrier(2, barrier.getRef()));
        barrier.receiveMessage(TIMEOUT);
        try (ReadView view = kv.readView()) {
            assertNull(view.get(Db.DEFAULT, bytes("g1")));
            assertArrayEquals(bytes("v"), view.get(Db.DEFAULT, bytes("g2")), "a later fire-and-forget write was fenced");
        }
    }

    @Test
    void aBarrierIsAnsweredOnlyAfterTheWritesBeforeIt() {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults().withSyncOnCommit(false));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-barrier", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> a = testKit.createTestProbe();
        TestProbe<WriterCommand.BarrierPassed> barrier = testKit.createTestProbe();
        for (int i = 0; i < 50; i++) {
            writer.tell(new WriterCommand.Write(put("k" + i), i, a.getRef()));
        }
        writer.tell(new WriterCommand.Barrier(1, barrier.getRef()));
        barrier.receiveMessage(TIMEOUT);
        try (ReadView view = kv.readView()) {
            for (int i = 0; i < 50; i++) {
                assertArrayEquals(bytes("v"), view.get(Db.DEFAULT, bytes("k" + i)), "k" + i + " not committed");
            }
        }
    }

    private static boolean touches(WriteBatch batch, String key) {
        for (WriteOp op : batch.ops()) {
            if (op instanceof WriteOp.Put p && Arrays.equals(p.key(), bytes(key))) return true;
        }
        return false;
    }

    private static WriteBatch put(String key) {
        WriteBatch wb = new WriteBatch();
        wb.put(Db.DEFAULT, bytes(key), bytes("v"));
        return wb;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
