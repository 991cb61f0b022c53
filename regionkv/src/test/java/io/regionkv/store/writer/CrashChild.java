package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.regionkv.engine.Db;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogLayout;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import com.google.protobuf.ByteString;
import java.util.List;
import io.regionkv.store.IoDispatcher;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The child JVM of {@link CrashRecoveryTest}: producers write batches through a real {@link KvWriter} and
 * {@link RaftLogWriter} until the parent kills the process, printing {@code K <id> ok} / {@code R <id> ok}
 * once the kv / raft part of batch {@code id} was answered as written.
 *
 * <p>Batch {@code id} puts {@code d/id}, {@code l/id}, {@code w/id} and {@code m/id} into the three column
 * families and meta (kv), and log entries of two regions plus a raft state (raft, in the layout the
 * parent names), so a batch that landed in part shows.
 */
public final class CrashChild {
    static final int PRODUCERS = 16;
    static final long RUN_STRIDE = 1_000_000L;
    static final long PRODUCER_STRIDE = 10_000L;
    private CrashChild() {}

    /** A tiny initial map, so that the map also grows while the kills land. */
    static EngineConfig config(boolean writeMap, RaftLogLayout raftLog) {
        return EngineConfig.defaults().withInitialMapSize(64 * 1024).withWriteMap(writeMap).withRaftLog(raftLog);
    }

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        long run = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        Engines engines = Engines.open(dataDir, config(Boolean.parseBoolean(args[3]), RaftLogLayout.valueOf(args[4])));
        PrintStream out = System.out;
        ActorSystem.create(Behaviors.<Void>setup(context -> {
            ActorRef<WriterCommand> kv = context.spawn(KvWriter.create(engines.kv()), "kv-writer", IoDispatcher.KV_WRITER);
            ActorRef<WriterCommand> raft =
                    context.spawn(RaftLogWriter.create(engines.raftLog()), "raft-log-writer", IoDispatcher.RAFT_LOG_WRITER);
            for (int p = 0; p < PRODUCERS; p++) {
                long firstId = run * RUN_STRIDE + p * PRODUCER_STRIDE;
                context.spawn(Producer.create(kv, raft, firstId, new Random(seed + p), out), "producer-" + p);
            }
            return Behaviors.empty();
        }), "crash-child");
    }

    static Entry entry(long index, byte[] data) {
        return Entry.newBuilder().setIndex(index).setTerm(1).setData(ByteString.copyFrom(data)).build();
    }

    /** The raft state batch {@code id} writes: its commit index names the batch. */
    static RaftLocalState stateOf(long id, long index) {
        return RaftLocalState.newBuilder().setLastIndex(index).setLastTerm(1)
                .setHardState(HardState.newBuilder().setTerm(1).setCommit(id)).build();
    }

    static byte[] key(String prefix, long id) {
        return (prefix + "/" + id).getBytes(UTF_8);
    }

    /** Region ids of a producer's two raft logs. */
    static long regionA(long id) {
        return 1_000 + id / PRODUCER_STRIDE;
    }

    static long regionB(long id) {
        return 1_000_000 + id / PRODUCER_STRIDE;
    }

    /** A value that names its batch and checks its own length. */
    static byte[] value(long id, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(length, 12));
        buffer.putLong(id).putInt(buffer.capacity());
        while (buffer.hasRemaining()) {
            buffer.put((byte) (id + buffer.position()));
        }
        return buffer.array();
    }

    /** The batch id a value names, after checking it is whole. */
    static long idOf(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        long id = buffer.getLong();
        if (buffer.getInt() != value.length) {
            throw new AssertionError("torn value of batch " + id);
        }
        for (int i = 12; i < value.length; i++) {
            if (value[i] != (byte) (id + i)) {
                throw new AssertionError("corrupted value of batch " + id + " at byte " + i);
            }
        }
        return id;
    }

    static final class Producer extends AbstractBehavior<WriteResult> {
        private final ActorRef<WriterCommand> kv;
        private final ActorRef<WriterCommand> raft;
        private final Random random;
        private final PrintStream out;
        private long id;
        private int pending;

        static Behavior<WriteResult> create(
                ActorRef<WriterCommand> kv, ActorRef<WriterCommand> raft, long firstId, Random random, PrintStream out) {
            return Behaviors.setup(context -> new Producer(context, kv, raft, firstId, random, out));
        }

        private Producer(ActorContext<WriteResult> context, ActorRef<WriterCommand> kv, ActorRef<WriterCommand> raft,
                long firstId, Random random, PrintStream out) {
            super(context);
            this.kv = kv;
            this.raft = raft;
            this.random = random;
            this.out = out;
            this.id = firstId;
            send();
        }

        private void send() {
            WriteBatch kvBatch = new WriteBatch()
                    .put(Db.DEFAULT, key("d", id), value(id, random.nextInt(3000)))
                    .put(Db.LOCK, key("l", id), value(id, random.nextInt(100)))
                    .put(Db.WRITE, key("w", id), value(id, random.nextInt(1000)))
                    .put(Db.META, key("m", id), value(id, 16));
            long index = id % PRODUCER_STRIDE + 1;
            RaftLogBatch raftBatch = new RaftLogBatch()
                    .append(regionA(id), List.of(entry(index, value(id, random.nextInt(2000)))))
                    .append(regionB(id), List.of(entry(index, value(id, random.nextInt(200)))))
                    .state(regionA(id), stateOf(id, index));
            pending = 2;
            // Request ids: 2·id for the kv part, 2·id + 1 for the raft part.
            kv.tell(new WriterCommand.Write(kvBatch, 2 * id, getContext().getSelf()));
            raft.tell(new WriterCommand.Write(raftBatch, 2 * id + 1, getContext().getSelf()));
        }

        @Override
        public Receive<WriteResult> createReceive() {
            return newReceiveBuilder()
                    .onMessage(WriteResult.Written.class, this::onWritten)
                    .onMessage(WriteResult.WriteFailed.class, this::onFailed)
                    .build();
        }

        private Behavior<WriteResult> onWritten(WriteResult.Written written) {
            long answered = written.requestId() / 2;
            if (answered != id) {
                return onFailed(new WriteResult.WriteFailed(written.requestId(),
                        new IllegalStateException("answer for batch " + answered + " while waiting for " + id)));
            }
            // The trailing "ok" tells a whole line from one cut short by the kill.
            String line = (written.requestId() % 2 == 0 ? "K " : "R ") + id + " ok";
            synchronized (out) {
                out.println(line);
                out.flush();
            }
            if (--pending == 0) {
                id++;
                if (id % PRODUCER_STRIDE == 0) {
                    return Behaviors.stopped(); // the next id belongs to another producer
                }
                send();
            }
            return this;
        }

        private Behavior<WriteResult> onFailed(WriteResult.WriteFailed failed) {
            synchronized (out) {
                out.println("E " + failed.requestId() + " " + failed.cause());
                out.flush();
            }
            return Behaviors.stopped();
        }
    }
}
