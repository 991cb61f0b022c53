package io.regionkv.store.writer;

import io.regionkv.engine.Engine;
import io.regionkv.store.IoDispatcher;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The kv writer's sync thread: runs the bounded deferred sync of the kv environment
 * ({@link Engine#syncConcurrently}) beside the writer, so that applies keep committing while the sync
 * waits for the disk. Before, the writer synced inline every {@code kv-sync-interval}, and every apply
 * queued behind a sync that could take as long as writing out a second of dirty pages. A child of the
 * writer on {@link IoDispatcher#KV_SYNC}; the writer has at most one sync in flight, so its mailbox holds
 * at most one message.
 */
final class KvSyncer {
    private KvSyncer() {}

    /** Sync now and answer {@code replyTo} with {@link WriterCommand.SyncFinished} carrying {@code token}. */
    record Sync(long token, ActorRef<WriterCommand> replyTo) {}

    static Behavior<Sync> create(CommitTarget target) {
        return create(target, () -> {});
    }

    static Behavior<Sync> create(Engine engine, Runnable beforeSync) {
        return create(CommitTarget.of(engine), beforeSync);
    }

    /** With {@code beforeSync} run on the syncer's thread in each sync before it touches the disk (tests hold it there). */
    static Behavior<Sync> create(CommitTarget engine, Runnable beforeSync) {
        return Behaviors.receive(Sync.class).onMessage(Sync.class, sync -> {
            long covered;
            try {
                covered = engine.syncConcurrently(beforeSync);
            } catch (RuntimeException e) {
                // Nothing is lost: the commits stay in the page cache and the marker stays set.
                sync.replyTo().tell(new WriterCommand.SyncFinished(sync.token(), false, e));
                return Behaviors.same();
            }
            sync.replyTo().tell(new WriterCommand.SyncFinished(sync.token(), covered >= 0, null));
            return Behaviors.same();
        }).build();
    }
}
