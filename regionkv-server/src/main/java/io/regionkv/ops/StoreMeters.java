package io.regionkv.ops;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.regionkv.store.StoreMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Exports a store's own counters ({@link StoreMetrics}) to the registry, tagged with the store id:
 * <ul>
 *   <li>{@code regionkv.store.proposals} by {@code outcome} (applied, stale, timeout, refused, abandoned);
 *   <li>{@code regionkv.raft.log.fsync} (timer: one raft-log group commit with its fsync) and
 *       {@code regionkv.raft.log.writes.per.fsync} (summary: peers' Readies sharing that fsync);
 *   <li>{@code regionkv.apply} (timer: an apply batch handed to the kv writer until committed);
 *   <li>{@code regionkv.snapshot.generated}, {@code regionkv.snapshot.applied},
 *       {@code regionkv.snapshot.sent.bytes}, {@code regionkv.snapshot.received.bytes};
 *   <li>{@code regionkv.kv.sync.age} (gauge, seconds since the kv environment was last made durable).
 * </ul>
 * The counters are read at scrape time (function counters over the store's adders); the timers are fed
 * by the writers' threads as they measure. Fixed buckets, as for the request timer, so that quantiles
 * can be computed across nodes.
 */
public final class StoreMeters {

    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5)};
    private static final double[] WRITES_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private StoreMeters() {}

    public static void bind(long storeId, StoreMetrics metrics, MeterRegistry registry) {
        String store = Long.toString(storeId);
        for (StoreMetrics.ProposalOutcome outcome : StoreMetrics.ProposalOutcome.values()) {
            FunctionCounter.builder("regionkv.store.proposals", metrics, m -> m.proposals(outcome))
                    .tag("store", store).tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .description("proposals of this store's leaders by how they ended").register(registry);
        }
        for (CounterSpec c : COUNTERS) {
            FunctionCounter.builder(c.name(), metrics, c.value()).tag("store", store).description(c.description())
                    .register(registry);
        }
        Gauge.builder("regionkv.kv.sync.age", metrics, StoreMetrics::kvSyncAgeSeconds).tag("store", store)
                .baseUnit("seconds").description("time since the kv environment was last made durable")
                .register(registry);
        Gauge.builder("regionkv.store.awake.peers", metrics, StoreMetrics::awakePeers).tag("store", store)
                .description("peers of this store that are awake (ticking); hibernated ones cost nothing")
                .register(registry);
        Timer fsync = Timer.builder("regionkv.raft.log.fsync").tag("store", store)
                .description("one raft-log group commit, fsync included").serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        DistributionSummary perFsync = DistributionSummary.builder("regionkv.raft.log.writes.per.fsync")
                .tag("store", store).description("peers' raft-log writes (Readies) sharing one fsync")
                .serviceLevelObjectives(WRITES_BUCKETS).register(registry);
        Timer apply = Timer.builder("regionkv.apply").tag("store", store)
                .description("an apply batch from its peer handing it to the kv writer until committed")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        metrics.bind(nanos -> fsync.record(nanos, TimeUnit.NANOSECONDS), perFsync::record,
                nanos -> apply.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** A counter of {@link StoreMetrics} as exported: name, help text and what it reads. */
    private record CounterSpec(String name, String description, ToDoubleFunction<StoreMetrics> value) {}

    private static final List<CounterSpec> COUNTERS = List.of(
            new CounterSpec("regionkv.snapshot.generated", "snapshots this store generated",
                    StoreMetrics::snapshotsGenerated),
            new CounterSpec("regionkv.snapshot.applied", "received snapshots this store installed",
                    StoreMetrics::snapshotsApplied),
            new CounterSpec("regionkv.snapshot.sent.bytes", "snapshot file bytes this store streamed to others",
                    StoreMetrics::snapshotBytesSent),
            new CounterSpec("regionkv.snapshot.received.bytes", "snapshot file bytes this store received",
                    StoreMetrics::snapshotBytesReceived),
            new CounterSpec("regionkv.raft.ticks", "raft ticks delivered to this store's awake peers",
                    StoreMetrics::ticksDelivered),
            new CounterSpec("regionkv.raft.log.writes", "raft writes this store's peers handed to the raft-log writer",
                    StoreMetrics::raftLogWrites),
            new CounterSpec("regionkv.raft.log.entries.written", "log entries in those writes",
                    StoreMetrics::raftLogEntriesWritten),
            new CounterSpec("regionkv.raft.log.commits", "raft-log group commits, one fsync each",
                    StoreMetrics::raftLogCommits),
            new CounterSpec("regionkv.apply.batches", "apply batches this store's peers handed to the kv writer",
                    StoreMetrics::applyBatches),
            new CounterSpec("regionkv.apply.entries", "committed entries in those batches",
                    StoreMetrics::entriesApplied));
}
