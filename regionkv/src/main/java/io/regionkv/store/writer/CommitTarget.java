package io.regionkv.store.writer;

import io.regionkv.engine.DurableBatch;
import io.regionkv.engine.Engine;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link GroupCommitWriter} commits into: the kv environment (batches of puts and deletes, with a
 * deferred sync) or the raft log (batches of raft-log ops, synced on every commit). The writer's grouping,
 * fencing and sync bookkeeping are the same for both; only this differs.
 */
interface CommitTarget {

    /** Checks what can be checked before a batch joins a group, so that a bad one fails alone. */
    void validate(DurableBatch batch);

    /** Commits the batches atomically, in order; answers the commit number. */
    long commitAll(List<DurableBatch> batches);

    /** Whether commits reach the disk only at a later sync ({@code KvSync.DEFERRED}). */
    boolean syncDeferred();

    /** Makes a deferred target durable now, on the calling thread. */
    void syncIfDirty();

    /** As {@link #syncIfDirty}, from the syncer's thread while the writer commits (see {@link KvSyncer}). */
    long syncConcurrently(Runnable beforeDiskSync);

    Duration syncInterval();

    Duration syncIdleDelay();

    static CommitTarget of(Engine engine) {
        return new Lmdb(engine);
    }

    static CommitTarget of(RaftLogStore raftLog) {
        return new RaftLog(raftLog);
    }

    /** An LMDB environment taking {@link WriteBatch}es. */
    record Lmdb(Engine engine) implements CommitTarget {
        @Override
        public void validate(DurableBatch batch) {
            engine.validate(writeBatch(batch));
        }

        @Override
        public long commitAll(List<DurableBatch> batches) {
            List<WriteBatch> writes = new ArrayList<>(batches.size());
            for (DurableBatch b : batches) writes.add(writeBatch(b));
            return engine.commitAll(writes);
        }

        private WriteBatch writeBatch(DurableBatch batch) {
            if (batch instanceof WriteBatch w) return w;
            throw new IllegalArgumentException(engine + " takes write batches, not " + batch);
        }

        @Override
        public boolean syncDeferred() {
            return engine.syncDeferred();
        }

        @Override
        public void syncIfDirty() {
            engine.syncIfDirty();
        }

        @Override
        public long syncConcurrently(Runnable beforeDiskSync) {
            return engine.syncConcurrently(beforeDiskSync);
        }

        @Override
        public Duration syncInterval() {
            return engine.config().kvSyncInterval();
        }

        @Override
        public Duration syncIdleDelay() {
            return engine.config().kvSyncIdleDelay();
        }

        @Override
        public String toString() {
            return engine.toString();
        }
    }

    /** The store's raft log taking {@link RaftLogBatch}es; every commit is synced. */
    record RaftLog(RaftLogStore log) implements CommitTarget {
        @Override
        public void validate(DurableBatch batch) {
            raftLogBatch(batch);
        }

        @Override
        public long commitAll(List<DurableBatch> batches) {
            List<RaftLogBatch> writes = new ArrayList<>(batches.size());
            for (DurableBatch b : batches) writes.add(raftLogBatch(b));
            return log.commitAll(writes);
        }

        private RaftLogBatch raftLogBatch(DurableBatch batch) {
            if (batch instanceof RaftLogBatch r) return r;
            throw new IllegalArgumentException(log + " takes raft log batches, not " + batch);
        }

        @Override
        public boolean syncDeferred() {
            return false;
        }

        @Override
        public void syncIfDirty() {
            // every commit is synced
        }

        @Override
        public long syncConcurrently(Runnable beforeDiskSync) {
            return -1;
        }

        @Override
        public Duration syncInterval() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration syncIdleDelay() {
            return Duration.ofSeconds(1);
        }

        @Override
        public String toString() {
            return log.toString();
        }
    }
}
