package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kv writer with {@code kv-sync = deferred}: synced within the interval however busy it is, and each
 * peer told how far its applied data is durable.
 */
class DeferredKvSyncTest {
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

    private Engine open(EngineConfig config) {
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), config);
        Assumptions.assumeTrue(kv.syncDeferred(), "needs a kernel boot id (Linux)");
        return kv;
    }

    private static WriteBatch put(int i) {
        return new WriteBatch().put(Db.DEFAULT, ("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
    }

    /**
     * A write every 20 ms for 3 s: the writer is never idle for the 1 s idle delay, so before the interval
     * existed it never synced. With a 200 ms interval it must sync many times, and report each time the
     * highest applied index it covered.
     */
    @Test
    void underContinuousWritesTheKvEnvironmentIsSyncedWithinTheInterval() throws Exception {
        Duration interval = Duration.ofMillis(200);
        Engine engine = open(EngineConfig.defaults().withKvSyncIdleDelay(Duration.ofSeconds(1)).withKvSyncInterval(interval));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(engine), "busy-kv-writer");
        // Answers are stamped when they arrive.
        ConcurrentLinkedQueue<Map.Entry<Long, WriteResult>> answers = new ConcurrentLinkedQueue<>();
        ActorRef<WriteResult> collector = testKit.spawn(Behaviors.receive(WriteResult.class).onAnyMessage(r -> {
            answers.add(Map.entry(System.nanoTime(), r));
            return Behaviors.same();
        }).build());
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(3).toNanos();
        int sent = 0;
        while (System.nanoTime() < end) {
            sent++;
            writer.tell(new WriterCommand.Write(put(sent), sent, collector, 100 + sent, false));
            Thread.sleep(20);
        }
        List<Long> syncedAt = new ArrayList<>();
        long lastSynced = 0;
        for (Map.Entry<Long, WriteResult> a : answers) {
            if (a.getKey() > end) break;
            if (a.getValue() instanceof WriteResult.Synced s) {
                assertTrue(s.appliedIndex() > lastSynced, "synced indexes only grow: " + s);
                assertEquals(s.requestId() + 100, s.appliedIndex(), "the note names the write that carried it");
                lastSynced = s.appliedIndex();
                syncedAt.add(a.getKey());
            } else {
                assertInstanceOf(WriteResult.Written.class, a.getValue());
            }
        }
        long syncs = engine.syncCount(); // may count a sync or two after the loop: the checks above do not
        assertTrue(syncs >= 5, "3 s of steady writes with a 200 ms interval synced only " + syncs + " times");
        assertTrue(syncedAt.size() >= 5, "the sender heard of " + syncedAt.size() + " syncs");
        // The gaps between syncs stay near the interval (generous slack for a loaded test machine).
        long prev = start;
        for (long t : syncedAt) {
            assertTrue(t - prev < interval.toNanos() + Duration.ofMillis(800).toNanos(),
                    "a gap of " + (t - prev) / 1_000_000 + " ms between syncs");
            prev = t;
        }
        testKit.stop(writer);
    }

    /**
     * The idle sync comes a whole idle delay after the LAST commit, not after the first one of the spell:
     * the writer arms its idle timer once and, when it fires early, waits out the rest. A sync can only be
     * made later by a loaded machine, never earlier, so the lower bound below holds under any load.
     */
    @Test
    void theIdleSyncWaitsForTheIdleDelayAfterTheLastCommit() {
        Duration idle = Duration.ofSeconds(1);
        Engine engine = open(EngineConfig.defaults().withKvSyncIdleDelay(idle).withKvSyncInterval(Duration.ofHours(1)));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(engine), "idle-kv-writer");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(put(1), 1, probe.getRef(), 5, false));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        try {
            Thread.sleep(idle.toMillis() * 6 / 10);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        long secondSent = System.nanoTime();
        writer.tell(new WriterCommand.Write(put(2), 2, probe.getRef(), 7, false));
        WriteResult second = probe.receiveMessage(TIMEOUT);
        if (second instanceof WriteResult.Synced early) {
            throw new AssertionError("synced " + early + " before the second write was committed");
        }
        assertInstanceOf(WriteResult.Written.class, second);
        assertEquals(new WriteResult.Synced(2, 7), probe.receiveMessage(TIMEOUT), "one sync covers both writes");
        long waited = System.nanoTime() - secondSent;
        assertTrue(waited >= idle.toNanos(), "synced " + waited / 1_000_000 + " ms after the last commit, before the idle delay");
        assertEquals(1, engine.syncCount(), "one sync for the idle spell");
        testKit.stop(writer);
    }

    /**
     * The bounded sync runs beside the writer: while it waits for the disk (held here on the syncer's
     * thread) an apply still commits and is answered. When the sync finishes, only the writes committed
     * before it started are reported synced, and the environment stays marked unsynced, because a commit
     * came in while the sync ran; the next sync covers that one and clears the mark.
     */
    @Test
    void aCommitIsNotHeldBehindASyncInFlightAndIsNotReportedByIt() throws Exception {
        Engine engine = open(EngineConfig.defaults().withKvSyncIdleDelay(Duration.ofMinutes(10))
                .withKvSyncInterval(Duration.ofMinutes(10)));
        Path marker = engine.dir().resolve("UNSYNCED");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        ActorRef<WriterCommand> writer = testKit.spawn(GroupCommitWriter.create(engine, WriterSettings.defaults(), WriterMetrics.NONE,
                KvSyncer.create(engine, () -> {
                    if (!first.getAndSet(false)) return;
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })), "background-sync-kv-writer");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(put(1), 1, probe.getRef(), 10, false));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        writer.tell(WriterCommand.SyncSoon.INSTANCE);
        assertTrue(started.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the sync started");
        try {
            writer.tell(new WriterCommand.Write(put(2), 2, probe.getRef(), 11, false));
            assertEquals(WriteResult.Written.class, probe.receiveMessage(TIMEOUT).getClass(),
                    "answered while the sync is held");
        } finally {
            release.countDown();
        }
        assertEquals(new WriteResult.Synced(1, 10), probe.receiveMessage(TIMEOUT), "only the write before the sync");
        probe.expectNoMessage(Duration.ofMillis(300));
        assertTrue(Files.exists(marker), "a commit came in during the sync: still unsynced");
        writer.tell(WriterCommand.SyncSoon.INSTANCE);
        assertEquals(new WriteResult.Synced(2, 11), probe.receiveMessage(TIMEOUT));
        assertFalse(Files.exists(marker), "nothing committed during the second sync: clean");
        testKit.stop(writer);
    }

    /** A write that asks for it is durable when answered, however the environment defers its syncs. */
    @Test
    void aWriteThatAsksForASyncIsDurableWhenAnswered() {
        Engine engine = open(EngineConfig.defaults().withKvSyncIdleDelay(Duration.ofSeconds(30))
                .withKvSyncInterval(Duration.ofSeconds(30)));
        Path marker = engine.dir().resolve("UNSYNCED");
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(engine), "install-kv-writer");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(put(1), 1, probe.getRef(), 5, false));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertTrue(Files.exists(marker), "deferred: not synced yet");
        writer.tell(new WriterCommand.Write(put(2), 2, probe.getRef(), 9, true));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertFalse(Files.exists(marker), "synced before the answer");
        assertEquals(new WriteResult.Synced(2, 9), probe.receiveMessage(TIMEOUT));
        testKit.stop(writer);
    }

    /** SyncSoon syncs without waiting for the interval, and reports. */
    @Test
    void syncSoonSyncsAtOnce() {
        Engine engine = open(EngineConfig.defaults().withKvSyncIdleDelay(Duration.ofSeconds(30))
                .withKvSyncInterval(Duration.ofSeconds(30)));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(engine), "sync-soon-kv-writer");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(put(1), 1, probe.getRef(), 3, false));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        writer.tell(WriterCommand.SyncSoon.INSTANCE);
        writer.tell(WriterCommand.SyncSoon.INSTANCE);
        assertEquals(new WriteResult.Synced(1, 3), probe.receiveMessage(TIMEOUT));
        probe.expectNoMessage(Duration.ofMillis(300));
        assertEquals(1, engine.syncCount(), "queued requests share one sync");
        testKit.stop(writer);
    }
}
