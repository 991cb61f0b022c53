package io.regionkv.store.writer;

/** A writer's answer to a {@link WriterCommand.Write}. */
public sealed interface WriteResult {

    long requestId();

    /**
     * The batch is committed (and fsynced, unless the engine was configured otherwise).
     *
     * @param commit the engine's commit number; writes folded into one transaction share it
     * @param groupSize how many writes that transaction carried
     */
    record Written(long requestId, long commit, int groupSize) implements WriteResult {}

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
