package io.regionkv.store;

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
}
