package io.regionkv.store;

import io.regionkv.store.writer.WriterMetrics;
import java.util.concurrent.atomic.LongAdder;

/**
 * The figures one store counts about itself for operators: proposals by outcome, snapshots, and the
 * latencies the writers measure. It has no metrics library in it, so that the library stays free of one:
 * a server exports it (io.regionkv.ops) and binds the latency sinks ({@link #bind}); unbound, the
 * latencies go nowhere and the counters still count.
 *
 * <p>Why this shape: the counters are bumped on the hot path (a peer's or a writer's thread), so each is
 * a {@link LongAdder}, which neither allocates nor makes the threads of different peers contend for one
 * cache line. Latencies are measured and recorded by the writer actors, off the peers' threads.
 */
public final class StoreMetrics {

    /** Where a measured value goes (a histogram of the metrics library, once bound). */
    @FunctionalInterface
    public interface Sink {
        void record(long value);

        Sink NONE = v -> {};
    }

    /** How a proposal of a leader ended for its caller; each proposal ends in exactly one. */
    public enum ProposalOutcome {
        /** Its entry was applied and its result answered (which may be an error of the command itself). */
        APPLIED,
        /** A newer leader overwrote its entry: not applied, safe to retry. */
        STALE,
        /** Not applied before its deadline: outcome unknown to the caller. */
        TIMEOUT,
        /** Raft did not take it (not the leader any more, invalid, refused admin command): nothing appended. */
        REFUSED,
        /**
         * The peer stopped or left the region while it waited, or installed a snapshot that covers its
         * index: outcome unknown to the caller.
         */
        ABANDONED
    }

    private final LongAdder[] proposals = new LongAdder[ProposalOutcome.values().length];
    private final LongAdder snapshotsGenerated = new LongAdder();
    private final LongAdder snapshotsApplied = new LongAdder();
    private final LongAdder snapshotBytesSent = new LongAdder();
    private final LongAdder snapshotBytesReceived = new LongAdder();
    /** Raft ticks the store's clock delivered (one per awake peer per tick interval). */
    private final LongAdder ticksDelivered = new LongAdder();
    /**
     * How well the store batches (issue 8): a put pays for the rounds it shares, so entries per peer write
     * and per apply batch say more about throughput than any one latency. Counted per peer round.
     */
    private final LongAdder raftLogWrites = new LongAdder();
    private final LongAdder raftLogEntriesWritten = new LongAdder();
    private final LongAdder raftLogCommits = new LongAdder();
    private final LongAdder applyBatches = new LongAdder();
    private final LongAdder entriesApplied = new LongAdder();
    /** Peers of this store that are awake (ticking), as the store's clock last counted them. */
    private volatile int awakePeers;
    /** System.nanoTime of the last completed sync of the kv environment (of the store's start at first). */
    private volatile long lastKvSyncNanos = System.nanoTime();
    private volatile Sink raftLogFsyncNanos = Sink.NONE;
    private volatile Sink raftLogWritesPerFsync = Sink.NONE;
    private volatile Sink applyNanos = Sink.NONE;

    public StoreMetrics() {
        for (int i = 0; i < proposals.length; i++) proposals[i] = new LongAdder();
    }

    /**
     * Where the writers' measurements go from now on.
     *
     * @param raftLogFsync nanoseconds of one raft-log group commit, fsync included
     * @param raftLogWritesPerFsync how many writes (peers' Readies) one such commit carried
     * @param apply nanoseconds from a peer handing an apply batch to the kv writer until it was committed
     */
    public void bind(Sink raftLogFsync, Sink raftLogWritesPerFsync, Sink apply) {
        this.raftLogFsyncNanos = raftLogFsync;
        this.raftLogWritesPerFsync = raftLogWritesPerFsync;
        this.applyNanos = apply;
    }

    // ---- updated by the store's actors --------------------------------------------------------------------

    void proposals(ProposalOutcome outcome, int count) {
        if (count > 0) proposals[outcome.ordinal()].add(count);
    }

    void snapshotGenerated() {
        snapshotsGenerated.increment();
    }

    void snapshotApplied() {
        snapshotsApplied.increment();
    }

    public void snapshotBytesSent(long bytes) {
        snapshotBytesSent.add(bytes);
    }

    public void snapshotBytesReceived(long bytes) {
        snapshotBytesReceived.add(bytes);
    }

    /** A peer handed one Ready's raft write (with {@code entries} new entries, maybe none) to the raft-log writer. */
    void raftLogWrite(int entries) {
        raftLogWrites.increment();
        raftLogEntriesWritten.add(entries);
    }

    /** A peer handed {@code entries} committed entries to the kv writer as one apply batch. */
    void applyBatch(int entries) {
        applyBatches.increment();
        entriesApplied.add(entries);
    }

    void ticksDelivered(int count) {
        ticksDelivered.add(count);
    }

    void awakePeers(int count) {
        awakePeers = count;
    }

    /** What the raft-log writer reports: each of its commits is fsynced. */
    public WriterMetrics raftLogWriter() {
        return new WriterMetrics() {
            @Override
            public void committed(int writes, long nanos) {
                raftLogCommits.increment();
                raftLogFsyncNanos.record(nanos);
                raftLogWritesPerFsync.record(writes);
            }

            @Override
            public void synced() {}

            @Override
            public void applyCommitted(long nanosSinceSent) {}
        };
    }

    /** What the kv writer reports: apply batches committed, and when the environment was last synced. */
    public WriterMetrics kvWriter() {
        return new WriterMetrics() {
            @Override
            public void committed(int writes, long nanos) {}

            @Override
            public void synced() {
                lastKvSyncNanos = System.nanoTime();
            }

            @Override
            public void applyCommitted(long nanosSinceSent) {
                applyNanos.record(nanosSinceSent);
            }
        };
    }

    // ---- read by the exporter -----------------------------------------------------------------------------

    public long proposals(ProposalOutcome outcome) {
        return proposals[outcome.ordinal()].sum();
    }

    public long snapshotsGenerated() {
        return snapshotsGenerated.sum();
    }

    public long snapshotsApplied() {
        return snapshotsApplied.sum();
    }

    public long snapshotBytesSent() {
        return snapshotBytesSent.sum();
    }

    public long snapshotBytesReceived() {
        return snapshotBytesReceived.sum();
    }

    /** Raft writes the store's peers handed to the raft-log writer (one per Ready that persists something). */
    public long raftLogWrites() {
        return raftLogWrites.sum();
    }

    /** Log entries in those writes. */
    public long raftLogEntriesWritten() {
        return raftLogEntriesWritten.sum();
    }

    /** Group commits of the raft-log writer, each with one fsync, however many writes it carried. */
    public long raftLogCommits() {
        return raftLogCommits.sum();
    }

    /** Apply batches the store's peers handed to the kv writer. */
    public long applyBatches() {
        return applyBatches.sum();
    }

    /** Committed entries in those batches. */
    public long entriesApplied() {
        return entriesApplied.sum();
    }

    /** Raft ticks delivered to this store's peers so far: grows only while some peer is awake. */
    public long ticksDelivered() {
        return ticksDelivered.sum();
    }

    /** Peers of this store that are awake now (not hibernated); sleeping ones cost no CPU. */
    public int awakePeers() {
        return awakePeers;
    }

    /** Seconds since the kv environment was last made durable (since the store started, before any sync). */
    public double kvSyncAgeSeconds() {
        return (System.nanoTime() - lastKvSyncNanos) / 1e9;
    }
}
