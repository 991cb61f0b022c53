package io.regionkv.server;

import io.regionkv.RegionKV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code regionkv bench --regions N}: the key space is cut into N regions whose leaders spread over the stores. */
class BenchRegionsTest {

    @TempDir
    Path dir;

    @Test
    void bisectionLevelsCoverEveryCutOnceAndEachLevelCutsDistinctRegions() {
        List<ByteString> cuts = BenchRegions.splitKeys(1000, 37);
        assertEquals(36, cuts.size());
        assertEquals(36, new HashSet<>(cuts).size(), "distinct cuts");
        Set<ByteString> done = new TreeSet<>(ByteString.unsignedLexicographicalComparator());
        int total = 0;
        for (List<ByteString> level : BenchRegions.levels(cuts)) {
            // Two cuts of one level must not fall into the same region as the earlier levels left it.
            Set<ByteString> regionStarts = new HashSet<>();
            for (ByteString cut : level) {
                ByteString start = ((TreeSet<ByteString>) done).floor(cut);
                assertTrue(regionStarts.add(start == null ? ByteString.EMPTY : start), "two cuts in one region: " + level);
            }
            done.addAll(level);
            total += level.size();
        }
        assertEquals(36, total);
        assertEquals(new HashSet<>(cuts), new HashSet<>(done));
    }

    @Test
    void twelveRegionsWithLeadersSpreadOverThreeStores() throws Exception {
        int keys = 1200;
        int regions = 12;
        try (LocalCluster cluster = LocalCluster.start(3, dir, LocalCluster.sharedCoresConfig(3)
                .withFallback(ConfigFactory.load()), Duration.ofSeconds(60))) {
            RegionKV kv = RegionKV.get(cluster.systems().get(0));
            kv.put(BenchWorkload.key(0), ByteString.copyFromUtf8("v")).toCompletableFuture().get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            new BenchRegions(BenchAdmin.of(kv), Duration.ofSeconds(60), new PrintStream(err, true, StandardCharsets.UTF_8))
                    .prepare(keys, regions);

            // Asked independently of BenchRegions: the scheduler's directory, until every leader has reported
            // and the reports show the spread (the directory learns of a transfer only from the new leader's
            // next region heartbeat, so right after prepare() it may still show some old leaders).
            List<BenchAdmin.Placed> placed = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                placed = BenchAdmin.of(kv).regions().toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (placed.size() == regions && placed.stream().allMatch(p -> p.leader().isPresent())) {
                    Map<Long, Integer> counts = BenchRegions.leaderCounts(placed);
                    if (counts.size() == 3 && Collections.max(counts.values()) - Collections.min(counts.values()) <= 2) break;
                }
                Thread.sleep(200);
            }
            assertEquals(regions, placed.size(), "regions: " + placed + "\n" + err);
            List<ByteString> starts = new ArrayList<>();
            for (BenchAdmin.Placed p : placed) starts.add(p.region().getStartKey());
            List<ByteString> expected = new ArrayList<>();
            expected.add(ByteString.EMPTY);
            expected.addAll(BenchRegions.splitKeys(keys, regions));
            assertEquals(expected, starts, "evenly cut at the bench's keys");
            Map<Long, Integer> leaders = BenchRegions.leaderCounts(placed);
            assertEquals(Set.of(1L, 2L, 3L), leaders.keySet(), "every store leads some regions: " + leaders);
            assertTrue(Collections.max(leaders.values()) - Collections.min(leaders.values()) <= 2,
                    "leaders spread evenly: " + leaders + "\n" + err);
        }
    }
}
