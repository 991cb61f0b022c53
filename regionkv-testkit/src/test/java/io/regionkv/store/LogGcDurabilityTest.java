package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.RegionKvNode;
import io.regionkv.client.RegionKvClient;
import io.regionkv.raft.StateType;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Raft-log GC under continuous writes with {@code kv-sync = deferred}: no store ever deletes a log entry
 * above its region's synced applied index (after an OS crash the log must replay what the kv data lost),
 * while compaction does not wait for the sync (the leader's truncated index runs ahead of it), so the log
 * stays within twice the count limit however the syncs fall.
 */
class LogGcDurabilityTest {

    /**
     * With a GC check every tick, the log grows by what one check interval writes (plus the CompactLog's own
     * round) past this before it is compacted: at 2,250 puts a second and a check every 60 ms that came to
     * 615 entries once, over 2 x 300. The bound must hold for the GC's cadence, not for the machine's speed.
     */
    private static final int COUNT_LIMIT = 400;

    private TestCluster cluster;
    private RegionKvClient client;

    @BeforeEach
    void start() {
        // A 1 s sync interval against a GC check every 30 ms: without the synced bound, compaction and
        // deletion would run far ahead of the syncs.
        cluster = TestCluster.start(TestCluster.Options.of("LogGcDurabilityTest").withNodes(3).withConfig(
                "regionkv.raft.tick-interval = 30ms\nregionkv.raft.log-gc-tick-interval = 1\n"
                        + "regionkv.raft.log-gc-count-limit = " + COUNT_LIMIT + "\n"
                        + "regionkv.engine.kv-sync = deferred\nregionkv.engine.kv-sync-interval = 1s\n"
                        + "regionkv.engine.kv-sync-idle-delay = 1s"));
        client = cluster.unrecordedClient(Duration.ofSeconds(15));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private PeerStatus status(long store) {
        return cluster.status(store, RegionKvNode.FIRST_REGION_ID).orElseThrow();
    }

    /** The first log entry of region 1 still on this store's disk, or 0 when none is. */
    private long firstStoredEntry(long store) {
        io.regionkv.engine.raftlog.LogShape shape = cluster.engines(store).raftLog().shape(RegionKvNode.FIRST_REGION_ID);
        return shape.size() == 0 ? 0 : shape.firstIndex();
    }

    @Test
    void underContinuousWritesLogGcStaysAtOrBelowTheSyncedAppliedIndex() throws Exception {
        Assumptions.assumeTrue(cluster.engines(1).kv().syncDeferred(), "needs a kernel boot id (Linux)");
        client.put(ByteString.copyFromUtf8("warm"), ByteString.copyFromUtf8("up")).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    try {
                        client.put(ByteString.copyFromUtf8("w" + id + "-" + (i % 200)), ByteString.copyFromUtf8("v" + i))
                                .toCompletableFuture().get(20, TimeUnit.SECONDS);
                        written.incrementAndGet();
                    } catch (Exception e) {
                        // a timeout under load: the samples below are what this test checks
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        long start = System.nanoTime();
        long steady = start + Duration.ofSeconds(2).toNanos();
        long end = start + Duration.ofSeconds(8).toNanos();
        long firstLeaderFirstIndex = 0;
        long lastLeaderFirstIndex = 0;
        long maxSpanInSteadyState = 0;
        Map<Long, Long> firstStoredAtStart = new HashMap<>();
        Map<Long, Long> firstStoredAtEnd = new HashMap<>();
        int samples = 0;
        int compactedAheadOfSync = 0;
        try {
            while (System.nanoTime() < end) {
                for (long store : cluster.storeIds()) {
                    // The disk first, the peer's view after it: the synced index only grows, so any gap the
                    // check finds was real when the entry was deleted.
                    long firstStored = firstStoredEntry(store);
                    PeerStatus s = status(store);
                    firstStoredAtStart.putIfAbsent(store, firstStored);
                    firstStoredAtEnd.put(store, firstStored);
                    if (firstStored > 0) {
                        assertTrue(firstStored - 1 <= s.syncedAppliedIndex(), "store " + store + " deleted entries below "
                                + firstStored + " but only " + s.syncedAppliedIndex() + " is synced: " + s);
                    }
                    assertTrue(s.syncedAppliedIndex() <= s.appliedIndex(), "synced beyond applied: " + s);
                    if (s.role() == StateType.LEADER) {
                        if (s.firstIndex() - 1 > s.syncedAppliedIndex()) compactedAheadOfSync++;
                        if (firstLeaderFirstIndex == 0) firstLeaderFirstIndex = s.firstIndex();
                        lastLeaderFirstIndex = s.firstIndex();
                        if (System.nanoTime() > steady) {
                            maxSpanInSteadyState = Math.max(maxSpanInSteadyState, s.appliedIndex() - (s.firstIndex() - 1));
                        }
                    }
                    samples++;
                }
                Thread.sleep(20);
            }
        } finally {
            running.set(false);
            for (Thread t : writers) t.join(30_000);
        }
        System.out.println("LogGcDurabilityTest: " + written.get() + " puts, " + samples + " samples, leader log "
                + firstLeaderFirstIndex + " -> " + lastLeaderFirstIndex + ", max applied - truncated in steady state "
                + maxSpanInSteadyState + ", leader compacted ahead of the sync in " + compactedAheadOfSync + " samples, first stored entries " + firstStoredAtStart + " -> " + firstStoredAtEnd);
        assertTrue(written.get() > 200, "the load ran: " + written.get() + " puts");
        assertTrue(lastLeaderFirstIndex - firstLeaderFirstIndex > 2L * COUNT_LIMIT,
                "the log was compacted under load, not just held back: " + firstLeaderFirstIndex + " -> " + lastLeaderFirstIndex);
        for (long store : cluster.storeIds()) {
            assertTrue(firstStoredAtEnd.get(store) - firstStoredAtStart.get(store) > 2L * COUNT_LIMIT,
                    "store " + store + " deleted compacted entries under load: first stored entry "
                            + firstStoredAtStart.get(store) + " -> " + firstStoredAtEnd.get(store));
        }
        assertTrue(compactedAheadOfSync > 0, "the leader's compaction never ran ahead of the 1 s kv sync in "
                + samples + " samples: it waits for the sync again");
        assertTrue(maxSpanInSteadyState <= 2L * COUNT_LIMIT,
                "applied - truncated reached " + maxSpanInSteadyState + " > 2 x log-gc-count-limit");
    }
}
