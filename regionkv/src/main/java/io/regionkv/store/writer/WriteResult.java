package io.regionkv.store.writer;

import io.regionkv.transport.SendGate;

/** A writer's answer to a {@link WriterCommand.Write}. */
public sealed interface WriteResult {

    long requestId();

    /**
     * The batch is committed (and fsynced, unless the engine was configured otherwise).
     *
     * @param commit the engine's commit number; writes folded into one transaction share it
     * @param groupSize how many writes that transaction carried
     * @param sendRound for a write that {@linkplain WriterCommand.Write#holdsSends holds sends}, the round the
     *     receiver must {@linkplain SendGate.Round#leave leave} once it has sent what the answer makes it
     *     send; otherwise {@link SendGate.Round#NONE}
     */
    record Written(long requestId, long commit, int groupSize, SendGate.Round sendRound) implements WriteResult {
        public Written {
            java.util.Objects.requireNonNull(sendRound, "sendRound");
        }

        public Written(long requestId, long commit, int groupSize) {
            this(requestId, commit, groupSize, SendGate.Round.NONE);
        }
    }

    /**
     * Nothing of the batch was written. {@code cause} is an {@code InvalidInputException} for a batch that
     * broke a limit, or the engine's failure (say {@code EngineFullException}).
     */
    record WriteFailed(long requestId, RuntimeException cause) implements WriteResult {}

    /**
     * A deferred sync of the kv environment covered this sender's apply batches up to the write
     * {@code requestId}, which left applied index {@code appliedIndex}: that much of the region is durable
     * now, even across an OS crash. Sent after the {@link Written} of that write; only the highest per
     * sender and sync.
     */
    record Synced(long requestId, long appliedIndex) implements WriteResult {}
}
