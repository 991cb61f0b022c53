package io.regionkv.bench;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.raftlog.LmdbRaftLog;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.store.IoDispatcher;
import io.regionkv.store.writer.RaftLogWriter;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.store.writer.WriterCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Entries per second the {@link RaftLogWriter} persists with fsync on. Each producer is an actor (as a peer
 * is) that sends one Write of one entry (128-byte payload) to its own region's log, waits for the answer
 * and repeats; group commit folds the writes that meet in the writer's mailbox into one fsync.
 *
 * <p>The score to read is {@code persist:entries} (entries/s). Run:
 * {@code mvn -B -Pbench test-compile exec:exec -Dbench=RaftLogWriterBenchmark -Djmh.args="-f 1 -wi 2 -i 3"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class RaftLogWriterBenchmark {
    static final int PAYLOAD_BYTES = 128;
    /** Round trips each producer makes per benchmark invocation. */
    static final int WRITES_PER_PRODUCER = 64;

    @Param({"1", "16", "256"})
    public int producers;

    /** {@link EngineConfig#writeMap()}; {@code -p writeMap=true} compares the msync path. */
    @Param({"false"})
    public boolean writeMap;

    /** {@link EngineConfig#syncOnCommit()}; {@code -p sync=false} shows what the machinery costs without fsync. */
    @Param({"true"})
    public boolean sync;

    /**
     * {@code region}: each producer appends to its own region's log, as the peers of a store do, so a commit
     * of n entries dirties about n B-tree leaves. {@code shared}: all producers append to one log, so a
     * commit dirties a few sequential leaves; this isolates the writer from LMDB's page scatter.
     */
    @Param({"region"})
    public String log;

    private Path dir;
    private Engine raft;
    private ActorSystem<Void> system;
    private final List<ActorRef<Producer.Command>> producerRefs = new ArrayList<>();
    /** All entries of the trial, warm-up included, to report the mean group size. */
    private long entriesWritten;

    /** Entries persisted, reported by JMH as a rate next to the invocation rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Entries {
        public long entries;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("raft-log-writer-bench");
        raft = Engine.open(EngineKind.RAFT, dir, EngineConfig.defaults().withWriteMap(writeMap).withSyncOnCommit(sync));
        system = ActorSystem.create(Behaviors.empty(), "bench");
        ActorRef<WriterCommand> writer =
                system.systemActorOf(RaftLogWriter.create(LmdbRaftLog.over(raft)), "raft-log-writer", IoDispatcher.RAFT_LOG_WRITER);
        AtomicLong sharedIndex = new AtomicLong();
        for (int p = 0; p < producers; p++) {
            long region = p + 1;
            AtomicLong ownIndex = new AtomicLong();
            LongSupplier nextIndex = switch (log) {
                case "region" -> ownIndex::incrementAndGet;
                case "shared" -> sharedIndex::incrementAndGet;
                default -> throw new IllegalArgumentException("log must be region or shared, got " + log);
            };
            long regionId = log.equals("shared") ? 1 : region;
            producerRefs.add(system.systemActorOf(
                    Producer.create(writer, regionId, nextIndex), "producer-" + p, Props.empty()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.printf("%n[%d producers, %s log] %d entries in %d commits: %.1f entries per fsync%n", producers, log,
                entriesWritten, raft.commitCount(), (double) entriesWritten / Math.max(1, raft.commitCount()));
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        raft.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public void persist(Entries counter) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(producers);
        for (ActorRef<Producer.Command> producer : producerRefs) {
            producer.tell(new Producer.Go(WRITES_PER_PRODUCER, done));
        }
        if (!done.await(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("producers did not finish within a minute");
        }
        counter.entries += (long) producers * WRITES_PER_PRODUCER;
        entriesWritten += (long) producers * WRITES_PER_PRODUCER;
    }

    /** Writes one entry, waits for the answer, repeats. */
    static final class Producer extends AbstractBehavior<Producer.Command> {
        sealed interface Command {}

        record Go(int writes, CountDownLatch done) implements Command {}

        record Answer(WriteResult result) implements Command {}

        private final ActorRef<WriterCommand> writer;
        private final ActorRef<WriteResult> answers;
        private final long regionId;
        private final ByteString payload = ByteString.copyFrom(new byte[PAYLOAD_BYTES]);
        private final LongSupplier nextIndex;
        private int remaining;
        private CountDownLatch done;

        static Behavior<Command> create(ActorRef<WriterCommand> writer, long regionId, LongSupplier nextIndex) {
            return Behaviors.setup(context -> new Producer(context, writer, regionId, nextIndex));
        }

        private Producer(ActorContext<Command> context, ActorRef<WriterCommand> writer, long regionId,
                LongSupplier nextIndex) {
            super(context);
            this.writer = writer;
            this.regionId = regionId;
            this.nextIndex = nextIndex;
            this.answers = context.messageAdapter(WriteResult.class, Answer::new);
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Go.class, this::onGo)
                    .onMessage(Answer.class, this::onAnswer)
                    .build();
        }

        private Behavior<Command> onGo(Go go) {
            remaining = go.writes();
            done = go.done();
            send();
            return this;
        }

        private Behavior<Command> onAnswer(Answer answer) {
            if (answer.result() instanceof WriteResult.WriteFailed failed) {
                throw new IllegalStateException("write failed", failed.cause());
            }
            if (--remaining == 0) {
                done.countDown();
            } else {
                send();
            }
            return this;
        }

        private void send() {
            long index = nextIndex.getAsLong();
            Entry entry = Entry.newBuilder().setTerm(1).setIndex(index).setData(payload).build();
            RaftLogBatch batch = new RaftLogBatch().append(regionId, java.util.List.of(entry));
            writer.tell(new WriterCommand.Write(batch, index, answers));
        }
    }
}
