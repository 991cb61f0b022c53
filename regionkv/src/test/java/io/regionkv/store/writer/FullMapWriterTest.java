package io.regionkv.store.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.store.IoDispatcher;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, "Full map": writes that reach the writer when the map is full and cannot grow are held, not
 * failed, and a barrier waits behind them; once the bound is raised they commit by themselves, in order.
 * (A failed apply would restart its peer into the same wall, and a committed entry cannot be skipped.)
 */
class FullMapWriterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int WRITES = 40;
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
    void writesThatDoNotFitAreHeldInOrderUntilTheBoundIsRaised() {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults().withSyncOnCommit(false)
                .withInitialMapSize(1L << 20).withMaxMapSize(1L << 20));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-full", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> results = testKit.createTestProbe();
        TestProbe<WriterCommand.BarrierPassed> barrier = testKit.createTestProbe();
        // 40 writes of 64 KiB: about 2.5 MiB, far more than a 1 MiB map holds.
        for (int i = 1; i <= WRITES; i++) {
            writer.tell(new WriterCommand.Write(put(i), i, results.getRef()));
        }
        writer.tell(new WriterCommand.Barrier(1, barrier.getRef()));

        int written = 0;
        while (written < WRITES) {
            WriteResult r;
            try {
                r = results.receiveMessage(Duration.ofSeconds(2));
            } catch (AssertionError silent) {
                break; // the rest waits for room
            }
            assertInstanceOf(WriteResult.Written.class, r, "write " + r.requestId() + " failed instead of waiting");
            assertEquals(++written, r.requestId(), "in order");
        }
        assertTrue(written < WRITES, "a 1 MiB map took every write");
        results.expectNoMessage(Duration.ofMillis(800));
        barrier.expectNoMessage(Duration.ofMillis(200));

        kv.setMaxMapSize(64L << 20);
        for (int i = written + 1; i <= WRITES; i++) {
            WriteResult r = results.expectMessageClass(WriteResult.class, TIMEOUT);
            assertInstanceOf(WriteResult.Written.class, r);
            assertEquals(i, r.requestId(), "the held writes commit in order");
        }
        assertEquals(1, barrier.receiveMessage(TIMEOUT).token());
        try (ReadView view = kv.readView()) {
            for (int i = 1; i <= WRITES; i++) {
                byte[] v = view.get(Db.DEFAULT, key(i));
                assertNotNull(v, "write " + i);
                assertEquals(64 << 10, v.length);
            }
        }
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static WriteBatch put(int i) {
        WriteBatch batch = new WriteBatch();
        batch.put(Db.DEFAULT, key(i), new byte[64 << 10]);
        return batch;
    }
}
