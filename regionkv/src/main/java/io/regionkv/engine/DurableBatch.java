package io.regionkv.engine;

/**
 * What a writer actor commits as one unit of a group commit: a kv-environment {@link WriteBatch}, or a raft
 * log batch ({@code io.regionkv.engine.raftlog.RaftLogBatch}). The writer needs only its size, to bound how
 * much one commit carries.
 */
public interface DurableBatch {
    /** Roughly the bytes it writes. */
    long approximateSize();

    boolean isEmpty();
}
