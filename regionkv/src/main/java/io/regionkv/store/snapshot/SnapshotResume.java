package io.regionkv.store.snapshot;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engines;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.store.StoreCommand;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.store.writer.WriterCommand;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Finishes, at store start, a snapshot install that a crash interrupted (the region's state is
 * {@code Applying}, see {@link SnapshotInstall}): the install is redone from the received file, one bounded
 * batch at a time, then the raft half the crash prevented is written (the whole old log goes; the log
 * restarts at the snapshot). The store starts the region's peer only afterwards, and not at all when the
 * file is gone or damaged: the region's data is then neither old nor new and must not be served. A child of
 * the store on the snapshot dispatcher; it reads the file on its own thread and writes through the writers.
 */
public final class SnapshotResume {

    sealed interface Command {}

    private record Done(WriteResult result) implements Command {}

    private SnapshotResume() {}

    public static Behavior<Command> create(Engines engines, Path dataDir, Region region, ActorRef<WriterCommand> kvWriter,
            ActorRef<WriterCommand> raftLogWriter, ActorRef<StoreCommand> store) {
        return Behaviors.setup(ctx -> {
            ActorRef<WriteResult> answers = ctx.messageAdapter(WriteResult.class, Done::new);
            Snapshot snapshot;
            SnapshotFormat.Reader reader;
            try (ReadView kv = engines.kv().readView()) {
                snapshot = kv.get(Db.META, Keys.snapshotApplyingKey(region.getId()), Snapshot.parser());
                if (snapshot == null) {
                    return fail(store, region, "no snapshot recorded for the interrupted install");
                }
                RaftSnapshotData data = RaftSnapshotData.parseFrom(snapshot.getData());
                reader = new SnapshotFormat.Reader(SnapshotWorker.receivedFile(dataDir, snapshot, data),
                        data.getMeta().getCfFiles(0).getChecksum());
            } catch (IOException | RuntimeException e) {
                return fail(store, region, "cannot reopen its snapshot file: " + e);
            }
            ctx.getLog().info("region {}: redoing the install of snapshot {} that a crash interrupted",
                    region.getId(), snapshot.getMetadata().getIndex());
            kvWriter.tell(new WriterCommand.Write(SnapshotInstall.begin(snapshot, region), 0, answers));
            return writing(ctx, engines, snapshot, region, reader, kvWriter, raftLogWriter, store, answers, Step.BATCHES);
        });
    }

    private enum Step { BATCHES, FINISH, RAFT_HALF }

    /** One write in flight at a time; each answer lets the next batch be read. */
    private static Behavior<Command> writing(ActorContext<Command> ctx, Engines engines, Snapshot snapshot, Region region,
            SnapshotFormat.Reader reader, ActorRef<WriterCommand> kvWriter, ActorRef<WriterCommand> raftLogWriter,
            ActorRef<StoreCommand> store, ActorRef<WriteResult> answers, Step step) {
        return Behaviors.receive(Command.class)
                .onMessage(Done.class, d -> {
                    if (d.result() instanceof WriteResult.Synced) {
                        return Behaviors.same(); // a deferred sync's note: the finish write syncs anyway
                    }
                    if (d.result() instanceof WriteResult.WriteFailed f) {
                        close(reader);
                        return fail(store, region, "a write failed: " + f.cause());
                    }
                    switch (step) {
                        case BATCHES -> {
                            WriteBatch batch = new WriteBatch();
                            boolean more;
                            try {
                                more = reader.next(batch, SnapshotInstall.BATCH_BYTES);
                            } catch (IOException e) {
                                close(reader);
                                return fail(store, region, "its snapshot file is damaged: " + e.getMessage());
                            }
                            if (more || !batch.isEmpty()) {
                                kvWriter.tell(new WriterCommand.Write(batch, 0, answers));
                                return more ? Behaviors.same()
                                        : writing(ctx, engines, snapshot, region, reader, kvWriter, raftLogWriter, store,
                                                answers, Step.FINISH);
                            }
                            close(reader);
                            finish(snapshot, region, kvWriter, answers);
                            return writing(ctx, engines, snapshot, region, reader, kvWriter, raftLogWriter, store,
                                    answers, Step.RAFT_HALF);
                        }
                        case FINISH -> {
                            close(reader);
                            finish(snapshot, region, kvWriter, answers);
                            return writing(ctx, engines, snapshot, region, reader, kvWriter, raftLogWriter, store,
                                    answers, Step.RAFT_HALF);
                        }
                        case RAFT_HALF -> {
                            if (d.result().requestId() == 1) {
                                raftLogWriter.tell(new WriterCommand.Write(raftHalf(engines, snapshot, region.getId()), 2,
                                        answers));
                                return Behaviors.same();
                            }
                            store.tell(new StoreCommand.SnapshotResumed(region, null));
                            return Behaviors.stopped();
                        }
                        default -> throw new IllegalStateException("unreachable");
                    }
                })
                .onSignal(PostStop.class, s -> {
                    close(reader);
                    return Behaviors.same();
                })
                .build();
    }

    /** The kv half's last write (request id 1), synced before the raft half is written. */
    private static void finish(Snapshot snapshot, Region region, ActorRef<WriterCommand> kvWriter,
            ActorRef<WriteResult> answers) {
        kvWriter.tell(new WriterCommand.Write(SnapshotInstall.finish(snapshot, region), 1, answers,
                snapshot.getMetadata().getIndex(), true));
    }

    /** What the interrupted raft half would have written: no log, the raft state at the snapshot point. */
    private static RaftLogBatch raftHalf(Engines engines, Snapshot snapshot, long regionId) {
        RaftLocalState old = engines.raftLog().state(regionId);
        long index = snapshot.getMetadata().getIndex();
        long term = snapshot.getMetadata().getTerm();
        RaftLocalState.Builder next = old == null ? RaftLocalState.newBuilder() : old.toBuilder();
        var hs = next.getHardState().toBuilder();
        hs.setCommit(Math.max(hs.getCommit(), index)).setTerm(Math.max(hs.getTerm(), term));
        return new RaftLogBatch().restart(regionId, index + 1)
                .state(regionId, next.setHardState(hs).setLastIndex(index).setLastTerm(term).build());
    }

    private static Behavior<Command> fail(ActorRef<StoreCommand> store, Region region, String why) {
        store.tell(new StoreCommand.SnapshotResumed(region, why));
        return Behaviors.stopped();
    }

    private static void close(SnapshotFormat.Reader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // only read from
        }
    }
}
