package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.KvPair;
import io.regionkv.client.RegionKvClient;
import io.regionkv.keys.KeyRanges;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * Regions split by themselves as data grows: leaders measure their regions, ask the scheduler for ids
 * and split; the scheduler's directory (from heartbeats) shows the pieces, which tile the key space; a
 * client that looks regions up in the directory reads every key back and scans them all in order,
 * before and after every store restarts.
 */
class AutoSplitTest {

    private static final int KEYS = 400;

    private static ByteString key(int i) {
        return ByteString.copyFromUtf8(String.format("key-%05d", i));
    }

    private static ByteString value(int i) {
        return ByteString.copyFromUtf8(("value-" + i + "-").repeat(12));
    }

    @Test
    void regionsSplitAsDataGrowsAndEveryKeyStaysReadable() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("auto-split").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10))
                .withConfig(String.join("\n",
                        "regionkv.split.check-interval = 100ms",
                        "regionkv.split.region-max-size = 8KiB",
                        "regionkv.split.region-split-size = 4KiB",
                        "regionkv.scheduler.region-heartbeat-interval = 300ms",
                        "regionkv.scheduler.store-heartbeat-interval = 300ms")))) {
            RegionKvClient client = cluster.schedulerClient(0);
            for (int i = 0; i < KEYS; i++) {
                // Spread over the key space, not in order, so that splits happen all over.
                int k = (int) ((i * 7919L) % KEYS);
                client.put(key(k), value(k)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
            // About 400 * 100 bytes in pieces of 4 KiB: many regions. Wait for at least 5 to be tiled.
            ClusterSystems.awaitCondition("at least 5 regions tiling the key space", Duration.ofSeconds(60),
                    () -> tiledRegions(cluster) >= 5);
            int regions = tiledRegions(cluster);
            System.out.println("auto-split: " + regions + " regions");
            checkAll(client);
            // Store heartbeats: each of the 3 stores holds a replica of every region, and leads some.
            ClusterSystems.awaitCondition("every store reports every region", Duration.ofSeconds(30), () -> {
                List<SchedulerReply.StoreInfo> stores = stores(cluster);
                return stores.size() == 3 && stores.stream().allMatch(s -> s.regionCount() >= regions
                        && s.capacity() > 0 && s.used() > 0)
                        && stores.stream().mapToInt(SchedulerReply.StoreInfo::leaderCount).sum() >= regions;
            });

            cluster.restartAll();
            RegionKvClient fresh = cluster.schedulerClient(1);
            checkAll(fresh);
            ClusterSystems.awaitCondition("the directory rebuilt after the restart", Duration.ofSeconds(60),
                    () -> tiledRegions(cluster) >= 5);
        }
    }

    private static void checkAll(RegionKvClient client) throws Exception {
        for (int i = 0; i < KEYS; i++) {
            Optional<ByteString> v = client.get(key(i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(Optional.of(value(i)), v, "key " + i);
        }
        List<KvPair> all = client.scan(ByteString.EMPTY, ByteString.EMPTY, KEYS + 10).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertEquals(KEYS, all.size());
        for (int i = 0; i < KEYS; i++) {
            assertEquals(key(i), all.get(i).key());
            assertEquals(value(i), all.get(i).value());
        }
    }

    private static List<SchedulerReply.StoreInfo> stores(TestCluster cluster) {
        try {
            return AskPattern.<SchedulerCommand, SchedulerReply.Stores>ask(cluster.scheduler(),
                    SchedulerCommand.GetStores::new, Duration.ofSeconds(2), cluster.clientSystem().scheduler())
                    .toCompletableFuture().get().stores();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** How many regions the directory holds, if they tile the whole key space without gaps; else 0. */
    private static int tiledRegions(TestCluster cluster) {
        SchedulerReply.Regions regions;
        try {
            regions = AskPattern.<SchedulerCommand, SchedulerReply.Regions>ask(cluster.scheduler(),
                    r -> new SchedulerCommand.ScanRegions(ByteString.EMPTY, ByteString.EMPTY, 0, r),
                    Duration.ofSeconds(2), cluster.clientSystem().scheduler()).toCompletableFuture().get();
        } catch (Exception e) {
            return 0;
        }
        ByteString expectedStart = ByteString.EMPTY;
        for (SchedulerReply.RegionInfo info : regions.regions()) {
            if (!info.region().getStartKey().equals(expectedStart)) return 0;
            expectedStart = info.region().getEndKey();
            if (expectedStart.isEmpty()) break;
        }
        if (!expectedStart.isEmpty()) return 0;
        assertTrue(regions.regions().stream().allMatch(r -> KeyRanges.compare(r.region().getStartKey(),
                r.region().getEndKey()) < 0 || r.region().getEndKey().isEmpty()));
        return regions.regions().size();
    }
}
