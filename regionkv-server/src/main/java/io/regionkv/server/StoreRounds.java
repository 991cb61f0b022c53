package io.regionkv.server;

import io.regionkv.store.StoreMetrics;
import java.util.List;
import java.util.Locale;

/**
 * The rounds the stores of an in-process bench cluster ran, summed over the stores ({@link StoreMetrics}'
 * round counters): the peers' raft-log writes and the entries in them, the raft-log writer's group commits,
 * and the peers' apply batches and their entries. Every such write and batch costs about the same however
 * little it carries, so entries per round is what decides CPU per put once the fsyncs overlap; it is how
 * the bench shows why a put costs more when the same requests in flight are spread over more regions
 * (BENCHMARKS.md, "Entries per round").
 */
record StoreRounds(long raftLogWrites, long entriesWritten, long raftLogCommits, long applyBatches,
        long entriesApplied) {

    static StoreRounds sum(List<StoreMetrics> stores) {
        long writes = 0, written = 0, commits = 0, batches = 0, applied = 0;
        for (StoreMetrics m : stores) {
            writes += m.raftLogWrites();
            written += m.raftLogEntriesWritten();
            commits += m.raftLogCommits();
            batches += m.applyBatches();
            applied += m.entriesApplied();
        }
        return new StoreRounds(writes, written, commits, batches, applied);
    }

    /** What happened between {@code earlier} and this. */
    StoreRounds since(StoreRounds earlier) {
        return new StoreRounds(raftLogWrites - earlier.raftLogWrites, entriesWritten - earlier.entriesWritten,
                raftLogCommits - earlier.raftLogCommits, applyBatches - earlier.applyBatches,
                entriesApplied - earlier.entriesApplied);
    }

    static final String HEADER = String.format(Locale.ROOT, "%-6s %9s %14s %14s %14s",
            "op", "in-flight", "entries/write", "writes/fsync", "entries/apply");

    /** One row of the rounds table: entries per raft-log write, writes per raft-log commit, entries per apply. */
    String row(String operation, int concurrency) {
        return String.format(Locale.ROOT, "%-6s %9d %14.1f %14.1f %14.1f", operation, concurrency,
                ratio(entriesWritten, raftLogWrites), ratio(raftLogWrites, raftLogCommits),
                ratio(entriesApplied, applyBatches));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
