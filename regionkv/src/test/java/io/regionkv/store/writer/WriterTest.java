package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.Db;
import io.regionkv.engine.EmptyKeyException;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.KeyTooLongException;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.ValueTooLargeException;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.StorageFailedException;
import io.regionkv.engine.raftlog.AppendRaftLog;
import io.regionkv.engine.raftlog.LmdbRaftLog;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.engine.WrongEngineException;
import io.regionkv.store.IoDispatcher;
import io.regionkv.transport.SendGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static ActorTestKit testKit;

    @TempDir
    Path dir;

    private final List<Engine> engines = new ArrayList<>();
    private long seed;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void seed() {
        seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("WriterTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    @Test
    void concurrentWritesShareCommitsAndEverySenderIsAnswered() throws Exception {
        Engine raft = open(EngineKind.RAFT, EngineConfig.defaults()); // fsync on: commits take long enough to pile up
        WriterSettings settings = new WriterSettings(64, 16L << 20);
        ActorRef<WriterCommand> writer = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft), settings), "raft-log-writer-group",
                IoDispatcher.SELECTOR);
        int senders = 8;
        int perSender = 64;
        List<TestProbe<WriteResult>> probes = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            probes.add(testKit.createTestProbe());
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        for (int s = 0; s < senders; s++) {
            int sender = s;
            pool.execute(() -> {
                for (int i = 0; i < perSender; i++) {
                    RaftLogBatch batch = new RaftLogBatch()
                            .append(sender + 1, List.of(entry(i + 1, ("entry " + sender + "/" + i).getBytes(UTF_8))));
                    writer.tell(new WriterCommand.Write(batch, i, probes.get(sender).getRef()));
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));

        Set<Long> commits = new HashSet<>();
        for (int s = 0; s < senders; s++) {
            for (int i = 0; i < perSender; i++) {
                WriteResult result = probes.get(s).expectMessageClass(WriteResult.Written.class, TIMEOUT);
                assertEquals(i, result.requestId(), "one sender's writes are answered in order");
                WriteResult.Written written = (WriteResult.Written) result;
                assertTrue(written.groupSize() <= settings.maxWritesPerCommit(), "group bound exceeded: " + written);
                commits.add(written.commit());
            }
        }
        int writes = senders * perSender;
        System.out.println(writes + " writes in " + raft.commitCount() + " commits");
        assertEquals(commits.size(), raft.commitCount(), "every commit answered someone");
        assertTrue(raft.commitCount() < writes / 2, writes + " writes took " + raft.commitCount() + " commits");
        assertTrue(raft.commitCount() >= writes / settings.maxWritesPerCommit());
        try (ReadView view = raft.readView()) {
            for (int s = 0; s < senders; s++) {
                assertEquals(perSender, view.count(Db.RAFT, Keys.raftLogSpan(s + 1)));
            }
        }
    }

    @Test
    void aBadBatchIsAnsweredWithItsErrorWhileTheOthersLand() throws Exception {
        Engine kv = open(EngineKind.KV, EngineConfig.defaults());
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "kv-writer-bad", IoDispatcher.SELECTOR);
        // One sender per write, as from different peers: a sender's writes after its failed one are fenced.
        List<TestProbe<WriteResult>> probes = new ArrayList<>();
        Random random = new Random(seed);
        int writes = 200;
        List<Class<? extends RuntimeException>> expected = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            byte[] key = ("key-" + i).getBytes(UTF_8);
            WriteBatch batch = new WriteBatch().put(Db.DEFAULT, key, key).put(Db.META, key, key);
            Class<? extends RuntimeException> error = null;
            switch (random.nextInt(6)) {
                case 0 -> {
                    batch.put(Db.LOCK, new byte[kv.maxKeySize() + 1], key);
                    error = KeyTooLongException.class;
                }
                case 1 -> {
                    batch.put(Db.WRITE, key, new byte[kv.config().maxValueSize() + 1]);
                    error = ValueTooLargeException.class;
                }
                case 2 -> {
                    batch.delete(Db.LOCK, new byte[0]);
                    error = EmptyKeyException.class;
                }
                case 3 -> {
                    batch.put(Db.RAFT, Keys.raftLogKey(1, i), key);
                    error = WrongEngineException.class;
                }
                default -> { }
            }
            expected.add(error);
            probes.add(testKit.createTestProbe());
            writer.tell(new WriterCommand.Write(batch, i, probes.get(i).getRef()));
        }
        int good = 0;
        for (int i = 0; i < writes; i++) {
            WriteResult result = probes.get(i).receiveMessage(TIMEOUT);
            Class<? extends RuntimeException> error = expected.get((int) result.requestId());
            if (error == null) {
                assertInstanceOf(WriteResult.Written.class, result, "write " + result.requestId());
                good++;
            } else {
                WriteResult.WriteFailed failed = assertInstanceOf(WriteResult.WriteFailed.class, result);
                assertInstanceOf(error, failed.cause(), "write " + result.requestId());
            }
        }
        try (ReadView view = kv.readView()) {
            for (int i = 0; i < writes; i++) {
                byte[] key = ("key-" + i).getBytes(UTF_8);
                if (expected.get(i) == null) {
                    assertArrayEquals(key, view.get(Db.DEFAULT, key));
                    assertArrayEquals(key, view.get(Db.META, key));
                } else {
                    assertNull(view.get(Db.DEFAULT, key), "the good part of bad write " + i + " landed");
                    assertNull(view.get(Db.META, key));
                }
            }
        }
        assertTrue(good > 0 && good < writes, "seed gave " + good + " good writes of " + writes);
    }

    @Test
    void aGroupThatFindsTheMapFullCommitsWhatFitsAndHoldsTheRestUntilThereIsRoom() {
        // A map that cannot grow past 1 MiB: the 2 MiB write cannot fit until the bound is raised.
        Engine raft = open(EngineKind.RAFT, EngineConfig.defaults().withSyncOnCommit(false)
                .withInitialMapSize(256 * 1024).withMaxMapSize(1024 * 1024));
        ActorRef<WriterCommand> writer = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft)), "raft-log-writer-full",
                IoDispatcher.SELECTOR);
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        TestProbe<WriteResult> culprit = testKit.createTestProbe();
        for (int i = 0; i < 20; i++) {
            RaftLogBatch batch = new RaftLogBatch();
            if (i == 10) {
                List<Entry> big = new ArrayList<>();
                for (int j = 0; j < 32; j++) big.add(entry(j + 1, new byte[64 * 1024]));
                batch.append(2, big);
            } else {
                batch.append(1, List.of(entry(i < 10 ? i + 1 : i, new byte[100])));
            }
            writer.tell(new WriterCommand.Write(batch, i, (i == 10 ? culprit : probe).getRef()));
        }
        for (int i = 0; i < 10; i++) {
            WriteResult result = probe.receiveMessage(TIMEOUT);
            assertEquals(i, result.requestId());
            assertInstanceOf(WriteResult.Written.class, result, "write " + i);
        }
        // The big write and everything behind it wait (a committed raft entry cannot be skipped)...
        culprit.expectNoMessage(Duration.ofMillis(500));
        probe.expectNoMessage(Duration.ofMillis(100));
        // ...until there is room: then they commit, in order.
        raft.setMaxMapSize(16L << 20);
        assertInstanceOf(WriteResult.Written.class, culprit.receiveMessage(TIMEOUT));
        for (int i = 11; i < 20; i++) {
            WriteResult result = probe.receiveMessage(TIMEOUT);
            assertEquals(i, result.requestId());
            assertInstanceOf(WriteResult.Written.class, result, "write " + i);
        }
        try (ReadView view = raft.readView()) {
            assertEquals(19, view.count(Db.RAFT, Keys.raftLogSpan(1)));
            assertEquals(32, view.count(Db.RAFT, Keys.raftLogSpan(2)));
        }
    }

    private static Entry entry(long index, byte[] data) {
        return Entry.newBuilder().setIndex(index).setTerm(1).setData(com.google.protobuf.ByteString.copyFrom(data)).build();
    }

    @Test
    void writesOfOneSenderLandInOrder() {
        Engine kv = open(EngineKind.KV, EngineConfig.defaults().withSyncOnCommit(false));
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv, new WriterSettings(7, 1 << 20)),
                "kv-writer-order", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        byte[] key = "counter".getBytes(UTF_8);
        for (int i = 0; i < 500; i++) {
            writer.tell(new WriterCommand.Write(
                    new WriteBatch().put(Db.DEFAULT, key, String.valueOf(i).getBytes(UTF_8)), i, probe.getRef()));
        }
        long lastCommit = 0;
        for (int i = 0; i < 500; i++) {
            WriteResult.Written written = probe.expectMessageClass(WriteResult.Written.class, TIMEOUT);
            assertEquals(i, written.requestId());
            assertTrue(written.commit() >= lastCommit);
            lastCommit = written.commit();
        }
        try (ReadView view = kv.readView()) {
            assertArrayEquals("499".getBytes(UTF_8), view.get(Db.DEFAULT, key));
        }
    }

    @Test
    void writersRefuseTheOtherEnvironment() {
        Engine raft = open(EngineKind.RAFT, EngineConfig.defaults().withSyncOnCommit(false));
        Engine kv = open(EngineKind.KV, EngineConfig.defaults().withSyncOnCommit(false));
        assertThrows(IllegalArgumentException.class, () -> LmdbRaftLog.over(kv));
        assertThrows(IllegalArgumentException.class, () -> KvWriter.create(raft));

        // A batch of the other kind is refused alone, with a typed error, and nothing is written.
        ActorRef<WriterCommand> raftWriter = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft)), "raft-log-writer-kinds",
                IoDispatcher.SELECTOR);
        ActorRef<WriterCommand> kvWriter = testKit.spawn(KvWriter.create(kv), "kv-writer-kinds", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        raftWriter.tell(new WriterCommand.Write(new WriteBatch().put(Db.DEFAULT, "k".getBytes(UTF_8), "v".getBytes(UTF_8)),
                1, probe.getRef()));
        assertInstanceOf(IllegalArgumentException.class,
                assertInstanceOf(WriteResult.WriteFailed.class, probe.receiveMessage(TIMEOUT)).cause());
        kvWriter.tell(new WriterCommand.Write(new RaftLogBatch().append(1, List.of(entry(1, new byte[1]))), 2,
                probe.getRef()));
        assertInstanceOf(IllegalArgumentException.class,
                assertInstanceOf(WriteResult.WriteFailed.class, probe.receiveMessage(TIMEOUT)).cause());
        assertEquals(0, raft.commitCount());
        assertEquals(0, kv.commitCount());
    }

    /**
     * The raft log fails for good (a real I/O error: the next segment's file cannot be created, a directory
     * holds its name): the write that hit it and every later one are answered with
     * {@link StorageFailedException}, and the node's handler is told exactly once.
     */
    @Test
    void aRaftLogThatFailsForGoodFailsEveryWriteAndIsEscalatedOnce() throws Exception {
        Path logDir = dir.resolve("raft-log");
        java.util.Queue<StorageFailedException> escalated = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (AppendRaftLog log = AppendRaftLog.open(logDir, true, 64 * 1024)) {
            Path segment;
            try (var files = java.nio.file.Files.list(logDir)) {
                segment = files.filter(f -> f.toString().endsWith(".raftlog")).max(Path::compareTo).orElseThrow();
            }
            String name = segment.getFileName().toString();
            String digits = name.substring(0, name.indexOf('.'));
            java.nio.file.Files.createDirectory(logDir.resolve(String.format("%0" + digits.length() + "d.raftlog",
                    Long.parseLong(digits) + 1)));
            ActorRef<WriterCommand> writer = testKit.spawn(RaftLogWriter.create(log, WriterSettings.defaults(),
                    new io.regionkv.store.StoreMetrics(), escalated::add,
                    io.regionkv.transport.SendGate.NONE), "raft-log-writer-fails", IoDispatcher.SELECTOR);
            TestProbe<WriteResult> probe = testKit.createTestProbe();
            WriteResult result = null;
            long index = 0;
            while (!(result instanceof WriteResult.WriteFailed)) {
                index++;
                assertTrue(index < 200, "64 KiB segments hold far fewer than 200 entries of 2 KiB");
                writer.tell(new WriterCommand.Write(new RaftLogBatch().append(1, List.of(entry(index, new byte[2048]))),
                        index, probe.getRef()));
                result = probe.receiveMessage(TIMEOUT);
                assertEquals(index, result.requestId());
            }
            assertInstanceOf(StorageFailedException.class, ((WriteResult.WriteFailed) result).cause());
            assertEquals(1, escalated.size(), "told once, before the answer");
            assertEquals(index - 1, log.shape(1).lastIndex(), "the failed write is not in the log");

            List<TestProbe<WriteResult>> later = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TestProbe<WriteResult> p = testKit.createTestProbe();
                later.add(p);
                writer.tell(new WriterCommand.Write(new RaftLogBatch().state(10 + i,
                        io.regionkv.proto.RaftServerpb.RaftLocalState.getDefaultInstance()), 1_000 + i, p.getRef()));
            }
            for (TestProbe<WriteResult> p : later) {
                assertInstanceOf(StorageFailedException.class,
                        assertInstanceOf(WriteResult.WriteFailed.class, p.receiveMessage(TIMEOUT)).cause());
            }
            assertEquals(1, escalated.size(), "a failed storage is escalated once");
            assertNull(log.state(10), "nothing more is written");
            testKit.stop(writer);
        }
    }

    /**
     * The answer to a peer's Ready write carries a round of the store's send gate, which holds the store's
     * raft sends until the peer leaves it; any other write's answer carries none.
     */
    @Test
    void theAnswerToAReadyWriteHoldsTheSendGateUntilItsSenderLeavesIt() {
        Engine raft = open(EngineKind.RAFT, EngineConfig.defaults().withSyncOnCommit(false));
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        SendGate gate = new SendGate(opened::incrementAndGet);
        ActorRef<WriterCommand> writer = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft), WriterSettings.defaults(),
                new io.regionkv.store.StoreMetrics(), e -> {}, gate), "raft-log-writer-gate", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(WriterCommand.Write.ready(new RaftLogBatch().append(1, List.of(entry(1, new byte[8]))), 1, probe.getRef()));
        WriteResult.Written ready = assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertEquals(1, gate.openRounds(), "the round stays open until the sender leaves it (the gate holds while it is open, up to its bound)");
        ready.sendRound().leave();
        assertEquals(0, gate.openRounds());
        assertEquals(1, opened.get(), "the outboxes are released once");

        writer.tell(new WriterCommand.Write(new RaftLogBatch().append(1, List.of(entry(2, new byte[8]))), 2, probe.getRef()));
        WriteResult.Written plain = assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertEquals(SendGate.Round.NONE, plain.sendRound());
        assertEquals(0, gate.openRounds());
        testKit.stop(writer);
    }

    @Test
    void theKvWritersAnswerToAnApplyThatHoldsSendsHoldsTheReplyGateUntilItsSenderLeavesIt() {
        Engine kv = open(EngineKind.KV, EngineConfig.defaults());
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        SendGate gate = new SendGate(opened::incrementAndGet);
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv, WriterSettings.defaults(),
                new io.regionkv.store.StoreMetrics(), gate), "kv-writer-gate", IoDispatcher.SELECTOR);
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(new WriteBatch().put(Db.DEFAULT, "a".getBytes(UTF_8), "1".getBytes(UTF_8)),
                1, probe.getRef(), 5, false, System.nanoTime(), true));
        WriteResult.Written applied = assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertEquals(1, gate.openRounds(), "the round stays open until the sender leaves it (the gate holds while it is open, up to its bound)");
        applied.sendRound().leave();
        assertEquals(0, gate.openRounds());
        assertEquals(1, opened.get(), "the held replies are released once");

        writer.tell(new WriterCommand.Write(new WriteBatch().put(Db.DEFAULT, "b".getBytes(UTF_8), "2".getBytes(UTF_8)),
                2, probe.getRef(), 6, false));
        WriteResult.Written follower = assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertEquals(SendGate.Round.NONE, follower.sendRound(), "an apply nobody waits on holds nothing");
        assertEquals(0, gate.openRounds());
        testKit.stop(writer);
    }

    @Test
    void aDeferredKvEnvironmentIsSyncedOnceTheWriterIsIdle() throws Exception {
        Engine kv = open(EngineKind.KV, EngineConfig.defaults().withKvSyncIdleDelay(Duration.ofMillis(200)));
        org.junit.jupiter.api.Assumptions.assumeTrue(kv.syncDeferred(), "needs a kernel boot id (Linux)");
        Path marker = kv.dir().resolve("UNSYNCED");
        ActorRef<WriterCommand> writer = testKit.spawn(KvWriter.create(kv), "deferred-kv-writer");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        writer.tell(new WriterCommand.Write(new WriteBatch().put(Db.DEFAULT, "a".getBytes(UTF_8), "1".getBytes(UTF_8)), 1, probe.getRef()));
        assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(TIMEOUT));
        assertTrue(java.nio.file.Files.exists(marker), "answered before any sync: the marker must be on disk");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (java.nio.file.Files.exists(marker) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(!java.nio.file.Files.exists(marker), "an idle writer syncs and clears the marker");
        testKit.stop(writer);
    }

    private Engine open(EngineKind kind, EngineConfig config) {
        Engine engine = Engine.open(kind, dir.resolve(kind.dirName() + engines.size()), config);
        engines.add(engine);
        return engine;
    }
}
