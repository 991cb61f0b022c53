package io.regionkv.store.cluster;

import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TinyKV's log bound: on every region of every store, {@code applied - truncated <= 2 x log-gc-count-limit}
 * (truncated = first index - 1). Checked when the clients have stopped, so raft-log GC gets a few GC ticks
 * to catch up with the last writes (TinyKV sleeps a second before it looks); a peer still over the bound
 * after {@link #SETTLE} is a log that GC does not keep in check.
 */
final class LogBound {

    /** How long the bound may take to hold once writes stop (many GC ticks, a snapshot or two). */
    static final Duration SETTLE = Duration.ofSeconds(30);

    private final TestCluster cluster;
    private final long limit;
    /** The largest truncated index seen on any peer: shows that GC ran at all. */
    private long maxTruncated;

    LogBound(TestCluster cluster, long countLimit) {
        this.cluster = cluster;
        this.limit = countLimit;
    }

    long maxTruncated() {
        return maxTruncated;
    }

    /** Waits until the bound holds on every peer of every running store; fails with the figures otherwise. */
    void await(String when) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> over;
        int stores;
        while (true) {
            Map<Long, List<PeerStatus>> all = cluster.allStatuses(Duration.ofSeconds(10));
            stores = all.size();
            over = new ArrayList<>();
            long running = cluster.storeIds().stream().filter(cluster::isRunning).count();
            if (all.size() < running) over.add((running - all.size()) + " running store(s) did not answer");
            for (Map.Entry<Long, List<PeerStatus>> e : all.entrySet()) {
                for (PeerStatus p : e.getValue()) {
                    long truncated = p.firstIndex() - 1;
                    maxTruncated = Math.max(maxTruncated, truncated);
                    long kept = p.appliedIndex() - truncated;
                    if (kept > 2 * limit) {
                        over.add("region " + p.region().getId() + " on store " + e.getKey() + ": applied "
                                + p.appliedIndex() + " - truncated " + truncated + " = " + kept + " > 2 x " + limit
                                + " (" + p.role() + ", term " + p.term() + ")");
                    }
                }
            }
            if (over.isEmpty() || System.nanoTime() - deadline > 0) break;
            sleep(200);
        }
        if (!over.isEmpty()) {
            throw new AssertionError(cluster.options().testName() + " (seed " + cluster.seed() + "): " + when
                    + ": applied - truncated over 2 x log-gc-count-limit " + SETTLE + " after the writes stopped: "
                    + String.join("; ", over));
        }
        System.out.println(cluster.options().testName() + ": " + when + ": log bound holds on " + stores
                + " stores (limit " + limit + ", largest truncated index so far " + maxTruncated + ")");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
