package io.regionkv.store;

import io.regionkv.engine.Engine;
import io.regionkv.engine.InvalidInputException;
import io.regionkv.engine.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The one writer of an LMDB environment, folding concurrent writes into shared transactions.
 *
 * <p>An actor cannot look into its mailbox, so it batches with a marker: the first write that finds the
 * writer idle is buffered and a {@link WriterCommand.Flush} is sent to self. Writes already queued ahead of
 * the marker join the buffer; the marker commits the buffer in one transaction and one fsync and answers
 * every sender. Writes that arrive while that commit blocks queue up and form the next group by themselves.
 *
 * <p>Each write is validated on arrival, so a bad batch is answered with its error alone and never shares a
 * transaction. If a group still fails (the map cannot grow, an I/O error), its writes are retried one by one
 * so that only the culprit fails.
 *
 * <p>An environment whose sync is deferred ({@code KvSync.DEFERRED}) is synced once the writer has seen no
 * commit for the configured idle delay: each commit restarts a single timer, so under steady load no sync
 * competes with the commits (the kernel writes pages back on its own), and a quiet store is soon clean.
 */
final class GroupCommitWriter extends AbstractBehavior<WriterCommand> {
    private final Engine engine;
    private final WriterSettings settings;
    private final ArrayDeque<WriterCommand.Write> buffer = new ArrayDeque<>();
    private final TimerScheduler<WriterCommand> timers;
    private boolean flushQueued;

    private GroupCommitWriter(ActorContext<WriterCommand> context, TimerScheduler<WriterCommand> timers, Engine engine,
            WriterSettings settings) {
        super(context);
        this.timers = timers;
        this.engine = engine;
        this.settings = settings;
    }

    static Behavior<WriterCommand> create(Engine engine, WriterSettings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new GroupCommitWriter(context, timers, engine, settings)));
    }

    @Override
    public Receive<WriterCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(WriterCommand.Write.class, this::onWrite)
                .onMessageEquals(WriterCommand.Flush.INSTANCE, this::onFlush)
                .onMessageEquals(WriterCommand.SyncIfIdle.INSTANCE, this::onSyncIfIdle)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<WriterCommand> onWrite(WriterCommand.Write write) {
        try {
            engine.validate(write.batch());
        } catch (InvalidInputException e) {
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), e));
            return this;
        }
        buffer.add(write);
        if (!flushQueued) {
            flushQueued = true;
            getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
        }
        return this;
    }

    private Behavior<WriterCommand> onFlush() {
        flushQueued = false;
        List<WriterCommand.Write> group = takeGroup();
        if (!group.isEmpty()) {
            commit(group);
            if (engine.syncDeferred()) {
                timers.startSingleTimer(WriterCommand.SyncIfIdle.INSTANCE, engine.config().kvSyncIdleDelay());
            }
        }
        if (!buffer.isEmpty()) {
            // The bound left writes behind: they go after whatever queued up during this commit.
            flushQueued = true;
            getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
        }
        return this;
    }

    private Behavior<WriterCommand> onSyncIfIdle() {
        try {
            engine.syncIfDirty();
        } catch (RuntimeException e) {
            // Nothing is lost: the commits stay in the page cache and the marker stays set. Try again later.
            getContext().getLog().warn("deferred sync of {} failed; retrying after the idle delay", engine, e);
            timers.startSingleTimer(WriterCommand.SyncIfIdle.INSTANCE, engine.config().kvSyncIdleDelay());
        }
        return this;
    }

    private List<WriterCommand.Write> takeGroup() {
        List<WriterCommand.Write> group = new ArrayList<>();
        long bytes = 0;
        while (!buffer.isEmpty() && group.size() < settings.maxWritesPerCommit()) {
            long size = buffer.peek().batch().approximateSize();
            if (!group.isEmpty() && bytes + size > settings.maxBytesPerCommit()) {
                break;
            }
            bytes += size;
            group.add(buffer.poll());
        }
        return group;
    }

    private void commit(List<WriterCommand.Write> group) {
        List<WriteBatch> batches = new ArrayList<>(group.size());
        for (WriterCommand.Write write : group) {
            batches.add(write.batch());
        }
        try {
            long commit = engine.commitAll(batches);
            for (WriterCommand.Write write : group) {
                write.replyTo().tell(new WriteResult.Written(write.requestId(), commit, group.size()));
            }
        } catch (RuntimeException e) {
            if (group.size() == 1) {
                getContext().getLog().warn("write {} to {} failed", group.get(0).requestId(), engine, e);
                group.get(0).replyTo().tell(new WriteResult.WriteFailed(group.get(0).requestId(), e));
                return;
            }
            getContext().getLog().warn("group commit of {} writes to {} failed, retrying one by one", group.size(), engine, e);
            for (WriterCommand.Write write : group) {
                commit(List.of(write));
            }
        }
    }

    private Behavior<WriterCommand> onStop() {
        for (WriterCommand.Write write : buffer) {
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(),
                    new IllegalStateException("the writer of " + engine + " stopped before committing")));
        }
        buffer.clear();
        return this;
    }
}
