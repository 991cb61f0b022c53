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

    /**
     * The batches as the kind {@code target} takes. A batch of the other kind is a programming error (a
     * kv batch sent to the raft-log writer): refused with {@link IllegalArgumentException}, so it fails
     * alone and fences its sender.
     */
    private static <B extends DurableBatch> List<B> narrow(List<DurableBatch> batches, Class<B> type,
            CommitTarget target) {
        List<B> out = new ArrayList<>(batches.size());
        for (DurableBatch batch : batches) {
            if (!type.isInstance(batch)) {
                throw new IllegalArgumentException(target + " takes " + type.getSimpleName() + "es, not " + batch);
            }
            out.add(type.cast(batch));
        }
        return out;
    }

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
            engine.validate(narrow(List.of(batch), WriteBatch.class, this).get(0));
        }

        @Override
        public long commitAll(List<DurableBatch> batches) {
            return engine.commitAll(narrow(batches, WriteBatch.class, this));
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
            narrow(List.of(batch), RaftLogBatch.class, this);
        }

        @Override
        public long commitAll(List<DurableBatch> batches) {
            return log.commitAll(narrow(batches, RaftLogBatch.class, this));
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
