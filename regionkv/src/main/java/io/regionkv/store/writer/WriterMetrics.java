package io.regionkv.store.writer;

import io.regionkv.store.StoreMetrics;

/**
 * What a {@link GroupCommitWriter} reports about its work, on its own thread (see {@link StoreMetrics}).
 * The writer is the same for both environments; what each figure means is up to the receiver.
 */
public interface WriterMetrics {

    /** A group of {@code writes} was committed in {@code nanos} (its fsync included if the environment syncs each commit). */
    void committed(int writes, long nanos);

    /** The environment is durable up to the last commit (a commit of a synced environment, or a deferred sync). */
    void synced();

    /** An apply batch is committed, {@code nanosSinceSent} after its peer sent it. */
    void applyCommitted(long nanosSinceSent);

    WriterMetrics NONE = new WriterMetrics() {
        @Override
        public void committed(int writes, long nanos) {}

        @Override
        public void synced() {}

        @Override
        public void applyCommitted(long nanosSinceSent) {}
    };
}
