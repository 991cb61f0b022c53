package io.regionkv.store.writer;

import io.regionkv.engine.DurableBatch;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of the writer actors ({@link RaftLogWriter}, {@link KvWriter}). */
public sealed interface WriterCommand {

    /**
     * Commit {@code batch} atomically and durably, then answer {@code replyTo}. {@code requestId} is echoed
     * in the answer so a sender with several writes in flight can tell them apart. The writer takes the
     * batch over: do not touch it after sending.
     *
     * @param appliedIndex for a peer's apply batch to the kv writer, the applied index the batch leaves;
     *     once a deferred sync ({@code KvSync.DEFERRED}) covers it, {@code replyTo} hears
     *     {@link WriteResult.Synced} with the highest such index of its writes. 0 for any other write.
     * @param syncBeforeReply make the environment durable before answering, even if its sync is deferred:
     *     for a write that a later raft-log write (always fsynced) depends on, such as a snapshot's kv half
     *     before the raft half that drops the whole old log
     * @param sentNanos when the sender handed it over (System.nanoTime): the writer measures the apply
     *     latency from it (queueing included, which is most of it under load)
     * @param holdsSends the sender will send once it has this answer: raft messages (a peer's Ready, to the
     *     raft-log writer) or replies to clients (an apply batch of a leader with proposals waiting, to the
     *     kv writer). The answer carries a party of a round of the writer's gate (see
     *     {@link WriteResult.Written#sendRound}), which the sender must leave
     */
    record Write(DurableBatch batch, long requestId, ActorRef<WriteResult> replyTo, long appliedIndex,
            boolean syncBeforeReply, long sentNanos, boolean holdsSends) implements WriterCommand {
        public Write {
            Objects.requireNonNull(batch, "batch");
            Objects.requireNonNull(replyTo, "replyTo");
            if (appliedIndex < 0) throw new IllegalArgumentException("appliedIndex must be >= 0, got " + appliedIndex);
        }

        public Write(DurableBatch batch, long requestId, ActorRef<WriteResult> replyTo, long appliedIndex,
                boolean syncBeforeReply, long sentNanos) {
            this(batch, requestId, replyTo, appliedIndex, syncBeforeReply, sentNanos, false);
        }

        /** A write sent now. */
        public Write(DurableBatch batch, long requestId, ActorRef<WriteResult> replyTo, long appliedIndex,
                boolean syncBeforeReply) {
            this(batch, requestId, replyTo, appliedIndex, syncBeforeReply, System.nanoTime());
        }

        /** A write that is neither an apply batch nor needs a sync of its own. */
        public Write(DurableBatch batch, long requestId, ActorRef<WriteResult> replyTo) {
            this(batch, requestId, replyTo, 0, false, 0);
        }

        /** A peer's Ready: after the answer it sends raft messages, so the answer holds the store's sends. */
        public static Write ready(DurableBatch batch, long requestId, ActorRef<WriteResult> replyTo) {
            return new Write(batch, requestId, replyTo, 0, false, 0, true);
        }
    }

    /**
     * Sync a deferred environment now rather than at the end of the interval (nothing to do when it is
     * clean or syncs every commit). The log-GC child asks for it when the synced applied index is what holds
     * its compaction back, so that the raft log stays short under heavy load. Requests that queue up
     * together are served by one sync.
     */
    enum SyncSoon implements WriterCommand {
        INSTANCE
    }

    /**
     * Answered with {@link BarrierPassed} once every write that reached the writer before it is committed or
     * failed. The store sends one through each writer before it restarts a peer, so the new incarnation
     * loads its state only after the writes of the dead one are settled.
     */
    record Barrier(long token, ActorRef<BarrierPassed> replyTo) implements WriterCommand {}

    /** The answer to a {@link Barrier}. */
    record BarrierPassed(long token) {}

    /**
     * For tests only (nothing from the wire can produce it): the next {@code count} writes whose batch
     * {@code which} matches fail as a failing disk would make them fail, and so does any group they are in.
     */
    record InjectFailure(java.util.function.Predicate<DurableBatch> which, int count) implements WriterCommand {}

    /**
     * The marker a writer sends itself when a write makes it dirty: every write queued before the marker
     * joins the same commit. Sent by the writer only.
     */
    enum Flush implements WriterCommand {
        INSTANCE
    }

    /**
     * Sent to itself by a writer whose environment defers its sync ({@code KvSync.DEFERRED}) once no commit
     * has happened for the idle delay: time to make everything durable. Sent by the writer only.
     */
    enum SyncIfIdle implements WriterCommand {
        INSTANCE
    }

    /**
     * Sent to itself by a writer whose environment defers its sync, {@code kv-sync-interval} after the first
     * commit the last sync did not cover: the bound on how long a commit stays unsynced under load. Sent by
     * the writer only.
     */
    enum SyncDue implements WriterCommand {
        INSTANCE
    }

    /**
     * The marker a writer sends itself on the first {@link SyncSoon} since its last sync: every request
     * queued before the marker shares the one sync it triggers. Sent by the writer only.
     */
    enum SyncSoonMarker implements WriterCommand {
        INSTANCE
    }

    /**
     * The kv writer's background sync ({@link KvSyncer}) is done: it covered every commit made before it was
     * asked for ({@code synced}: there was something to sync), or it failed ({@code failure}, not null).
     * Sent by the writer's syncer only.
     */
    record SyncFinished(long token, boolean synced, RuntimeException failure) implements WriterCommand {}

    /**
     * The writer's own timer after a commit found the map full and unable to grow: try the held writes
     * again (GroupCommitWriter, "A full map").
     */
    enum RetryFull implements WriterCommand {
        INSTANCE
    }
}
