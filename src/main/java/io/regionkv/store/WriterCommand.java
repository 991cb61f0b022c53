package io.regionkv.store;

import io.regionkv.engine.WriteBatch;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of the writer actors ({@link RaftLogWriter}, {@link KvWriter}). */
public sealed interface WriterCommand {

    /**
     * Commit {@code batch} atomically and durably, then answer {@code replyTo}. {@code requestId} is echoed
     * in the answer so a sender with several writes in flight can tell them apart. The writer takes the
     * batch over: do not touch it after sending.
     */
    record Write(WriteBatch batch, long requestId, ActorRef<WriteResult> replyTo) implements WriterCommand {
        public Write {
            Objects.requireNonNull(batch, "batch");
            Objects.requireNonNull(replyTo, "replyTo");
        }
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
    record InjectFailure(java.util.function.Predicate<WriteBatch> which, int count) implements WriterCommand {}

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
}
