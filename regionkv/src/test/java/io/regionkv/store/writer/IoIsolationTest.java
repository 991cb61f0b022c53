package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.LmdbRaftLog;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.store.IoDispatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writers on their own threads: snapshot jobs that hold every thread of their pool (as large snapshots
 * would) do not delay a raft-log or kv write.
 */
class IoIsolationTest {
    private static ActorTestKit testKit;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create(); // reference.conf: the dispatchers as a node gets them
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @Test
    void writesGoOnWhileSnapshotJobsHoldTheirWholePool() throws Exception {
        int snapshotThreads = testKit.system().settings().config()
                .getInt("regionkv.snapshot-dispatcher.thread-pool-executor.fixed-pool-size");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(snapshotThreads);
        // More blocking jobs than the pool has threads, each holding its thread until released.
        for (int i = 0; i < snapshotThreads + 2; i++) {
            ActorRef<String> job = testKit.spawn(Behaviors.receive(String.class).onAnyMessage(m -> {
                busy.countDown();
                release.await(30, TimeUnit.SECONDS);
                return Behaviors.same();
            }).build(), "snapshot-job-" + i, IoDispatcher.SNAPSHOT);
            job.tell("go");
        }
        try (Engine raft = Engine.open(EngineKind.RAFT, dir.resolve("raft"), EngineConfig.defaults());
                Engine kv = Engine.open(EngineKind.KV, dir.resolve("kv"), EngineConfig.defaults())) {
            if (!busy.await(10, TimeUnit.SECONDS)) throw new AssertionError("the snapshot jobs never started");
            ActorRef<WriterCommand> raftWriter = testKit.spawn(RaftLogWriter.create(LmdbRaftLog.over(raft)), "raft-writer",
                    IoDispatcher.RAFT_LOG_WRITER);
            ActorRef<WriterCommand> kvWriter = testKit.spawn(KvWriter.create(kv), "kv-writer", IoDispatcher.KV_WRITER);
            TestProbe<WriteResult> probe = testKit.createTestProbe();
            Duration prompt = Duration.ofSeconds(3); // far below the jobs' 30 s hold
            raftWriter.tell(new WriterCommand.Write(new RaftLogBatch().append(1,
                    java.util.List.of(io.regionkv.proto.Eraftpb.Entry.newBuilder().setIndex(1).setTerm(1).build())),
                    1, probe.getRef()));
            assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(prompt));
            kvWriter.tell(new WriterCommand.Write(new WriteBatch().put(Db.DEFAULT, "k".getBytes(UTF_8), "v".getBytes(UTF_8)),
                    2, probe.getRef()));
            assertInstanceOf(WriteResult.Written.class, probe.receiveMessage(prompt));
            testKit.stop(raftWriter);
            testKit.stop(kvWriter);
        } finally {
            release.countDown();
        }
    }
}
