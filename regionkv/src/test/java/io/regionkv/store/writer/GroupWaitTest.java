package io.regionkv.store.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.raftlog.LmdbRaftLog;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.store.IoDispatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raft-log writer's wait for a fuller group ({@code regionkv.engine.raft-log-group-wait}): in a busy
 * streak a write that finds fewer waiting than the last commit carried waits for the others; a writer
 * fed by one sender, or back from a quiet spell, commits at once. The wait is long here (500 ms) so that
 * a second write sent 100 ms after the first lands in the same commit only if the writer waited.
 */
class GroupWaitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofMillis(500);
    private static final long SECOND_WRITE_AFTER_MILLIS = 100;
    private static ActorTestKit testKit;

    @TempDir
    Path dir;
    private Engine raft;
    private long nextKey = 1;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void closeEngine() {
        if (raft != null) raft.close();
    }

    @Test
    void inABusyStreakAWriteWaitsForTheOthersTheLastCommitCarried() throws Exception {
        ActorRef<WriterCommand> writer = spawnWriter("busy");
        burstUntilTheLastCommitCarriedSeveral(writer);
        long[] commits = twoWritesApart(writer);
        assertEquals(commits[0], commits[1], "the first write waited, and the second, sent "
                + SECOND_WRITE_AFTER_MILLIS + " ms later, joined its commit");
    }

    @Test
    void aWriterFedByOneSenderNeverWaits() throws Exception {
        ActorRef<WriterCommand> writer = spawnWriter("one-sender");
        TestProbe<WriteResult> probe = testKit.createTestProbe();
        for (int i = 0; i < 5; i++) {
            writer.tell(write(probe));
            probe.expectMessageClass(WriteResult.Written.class, TIMEOUT); // each commit carries one write
        }
        long[] commits = twoWritesApart(writer);
        assertNotEquals(commits[0], commits[1], "the last commit carried one write: nothing to wait for");
    }

    @Test
    void theFirstWriteAfterAQuietSpellDoesNotWait() throws Exception {
        ActorRef<WriterCommand> writer = spawnWriter("quiet");
        burstUntilTheLastCommitCarriedSeveral(writer);
        Thread.sleep(5 * WAIT.toMillis()); // past the busy streak (4 waits)
        long[] commits = twoWritesApart(writer);
        assertNotEquals(commits[0], commits[1], "the streak had ended: the first write committed at once");
    }

    @Test
    void zeroTurnsTheWaitOff() throws Exception {
        raft = Engine.open(EngineKind.RAFT, dir.resolve("raft-off"), EngineConfig.defaults());
        ActorRef<WriterCommand> writer = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft), WriterSettings.defaults()),
                "raft-log-writer-off", IoDispatcher.SELECTOR);
        burstUntilTheLastCommitCarriedSeveral(writer);
        long[] commits = twoWritesApart(writer);
        assertNotEquals(commits[0], commits[1]);
    }

    private ActorRef<WriterCommand> spawnWriter(String name) {
        raft = Engine.open(EngineKind.RAFT, dir.resolve("raft-" + name), EngineConfig.defaults());
        return testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft), WriterSettings.defaults().withGroupWait(WAIT)),
                "raft-log-writer-" + name, IoDispatcher.SELECTOR);
    }

    /**
     * Ten senders write at once, so that the writes pile up behind a synced commit and the last commit
     * carries several. Tried again in the rare case the last commit carried one (the sending thread was
     * descheduled mid-burst).
     */
    private void burstUntilTheLastCommitCarriedSeveral(ActorRef<WriterCommand> writer) {
        for (int attempt = 0; attempt < 10; attempt++) {
            List<TestProbe<WriteResult>> probes = new ArrayList<>();
            for (int s = 0; s < 10; s++) probes.add(testKit.createTestProbe());
            for (TestProbe<WriteResult> p : probes) writer.tell(write(p));
            long lastCommit = -1;
            int lastGroupSize = 0;
            for (TestProbe<WriteResult> p : probes) {
                WriteResult.Written w = p.expectMessageClass(WriteResult.Written.class, TIMEOUT);
                if (w.commit() > lastCommit) {
                    lastCommit = w.commit();
                    lastGroupSize = w.groupSize();
                }
            }
            if (lastGroupSize >= 2) return;
        }
        throw new AssertionError("ten bursts of ten writes never left a commit of several writes last");
    }

    /** Sends a write, another {@link #SECOND_WRITE_AFTER_MILLIS} later, and answers their commit numbers. */
    private long[] twoWritesApart(ActorRef<WriterCommand> writer) throws InterruptedException {
        TestProbe<WriteResult> first = testKit.createTestProbe();
        TestProbe<WriteResult> second = testKit.createTestProbe();
        writer.tell(write(first));
        Thread.sleep(SECOND_WRITE_AFTER_MILLIS);
        writer.tell(write(second));
        long a = first.expectMessageClass(WriteResult.Written.class, TIMEOUT).commit();
        long b = second.expectMessageClass(WriteResult.Written.class, TIMEOUT).commit();
        assertTrue(a <= b, "commits are numbered in order");
        return new long[] {a, b};
    }

    private WriterCommand.Write write(TestProbe<WriteResult> probe) {
        long key = nextKey++;
        RaftLogBatch batch = new RaftLogBatch().append(1, List.of(Entry.newBuilder().setIndex(key).setTerm(1)
                .setData(com.google.protobuf.ByteString.copyFromUtf8("entry " + key)).build()));
        return new WriterCommand.Write(batch, key, probe.getRef());
    }
}
