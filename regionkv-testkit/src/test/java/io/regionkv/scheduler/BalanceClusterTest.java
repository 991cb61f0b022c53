package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.client.RegionKvClient;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.RegionKvNode;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * The schedulers at work on real clusters: balance-leader spreads the leaders of freshly split regions
 * (all led from one store at first) over the stores; the replica checker rebuilds the replicas of a
 * store that stays down on another store.
 */
class BalanceClusterTest {

    private static final Duration T = Duration.ofSeconds(90);

    private static final String FAST = String.join("\n",
            "regionkv.scheduler.region-heartbeat-interval = 200ms",
            "regionkv.scheduler.store-heartbeat-interval = 200ms",
            "regionkv.scheduler.balance-interval = 300ms",
            "regionkv.scheduler.store-disconnect-time = 1s",
            "regionkv.scheduler.max-store-down-time = 3s");

    private static List<SchedulerReply.RegionInfo> directory(TestCluster c) {
        try {
            return AskPattern.<SchedulerCommand, SchedulerReply.Regions>ask(c.scheduler(),
                    r -> new SchedulerCommand.ScanRegions(ByteString.EMPTY, ByteString.EMPTY, 0, r),
                    Duration.ofSeconds(2), c.clientSystem().scheduler()).toCompletableFuture().get().regions();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static Map<Long, Integer> leaderCounts(List<SchedulerReply.RegionInfo> regions) {
        Map<Long, Integer> counts = new TreeMap<>(Map.of(1L, 0, 2L, 0, 3L, 0));
        for (SchedulerReply.RegionInfo r : regions) r.leader().ifPresent(p -> counts.merge(p.getStoreId(), 1, Integer::sum));
        return counts;
    }

    @Test
    void balanceLeaderSpreadsTheLeadersOfSplitRegions() throws Exception {
        try (TestCluster c = TestCluster.start(TestCluster.Options.of("balance-leader").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10)).withConfig(FAST))) {
            RegionKvClient client = c.schedulerClient(0);
            for (String k : List.of("b", "c", "d", "e", "f")) {
                client.split(ByteString.copyFromUtf8(k)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            ClusterSystems.awaitCondition("6 regions with leaders spread within one of each other", T, () -> {
                List<SchedulerReply.RegionInfo> regions = directory(c);
                if (regions.size() != 6 || regions.stream().anyMatch(r -> r.leader().isEmpty())) return false;
                Map<Long, Integer> counts = leaderCounts(regions);
                return counts.values().stream().mapToInt(Integer::intValue).max().getAsInt()
                        - counts.values().stream().mapToInt(Integer::intValue).min().getAsInt() <= 1;
            });
            System.out.println("balance-leader: leaders per store " + leaderCounts(directory(c)));
            for (String k : List.of("a", "b", "c", "d", "e", "f")) {
                client.put(ByteString.copyFromUtf8(k), ByteString.copyFromUtf8("v" + k)).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                assertEquals(Optional.of(ByteString.copyFromUtf8("v" + k)),
                        client.get(ByteString.copyFromUtf8(k)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aDeadStoresReplicasAreRebuiltElsewhere() throws Exception {
        try (TestCluster c = TestCluster.start(TestCluster.Options.of("replica-checker").withNodes(4)
                .withClientTimeout(Duration.ofSeconds(10)).withConfig(FAST))) {
            RegionKvClient client = c.schedulerClient(0);
            long r = RegionKvNode.FIRST_REGION_ID;
            // Three replicas on stores 1-3, store 4 empty and alive.
            client.removePeer(r, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            client.put(ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("v")).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            c.stopNode(3);
            ClusterSystems.awaitCondition("region back to 3 voters on stores 1, 2, 4", T, () -> c.leader(r)
                    .map(l -> voterStores(l.region()).equals(new TreeSet<>(List.of(1L, 2L, 4L)))
                            && l.region().getPeersCount() == 3)
                    .orElse(false));
            assertEquals(Optional.of(ByteString.copyFromUtf8("v")),
                    client.get(ByteString.copyFromUtf8("k")).toCompletableFuture().get(30, TimeUnit.SECONDS));
            ClusterSystems.awaitCondition("store 4 has the data", T,
                    () -> c.engineGet(4, "k").equals(Optional.of("v")));
        }
    }

    private static TreeSet<Long> voterStores(Region region) {
        TreeSet<Long> out = new TreeSet<>();
        for (Peer p : region.getPeersList()) {
            if (p.getRole() == PeerRole.Voter) out.add(p.getStoreId());
        }
        return out;
    }

    @Test
    void balanceRegionMovesReplicasToAnEmptyStore() throws Exception {
        try (TestCluster c = TestCluster.start(TestCluster.Options.of("balance-region").withNodes(4)
                .withClientTimeout(Duration.ofSeconds(10)).withConfig(FAST + "\nregionkv.split.check-interval = 100ms"))) {
            RegionKvClient client = c.schedulerClient(0);
            // Store 4 alive but empty; 4 regions with the same data on stores 1-3.
            client.removePeer(RegionKvNode.FIRST_REGION_ID, 4).toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<String> keys = List.of("a", "b", "c", "d");
            for (String k : keys.subList(1, 4)) {
                client.split(ByteString.copyFromUtf8(k)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            for (String k : keys) {
                for (int i = 0; i < 20; i++) {
                    client.put(ByteString.copyFromUtf8(k + i), ByteString.copyFromUtf8("v".repeat(200)))
                            .toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            }
            // 4 regions of about the same size s: stores 1-3 hold 4s, store 4 none. A move is worth it while
            // the gap exceeds 2s: store 4 ends up with at least one replica, each region keeps 3.
            ClusterSystems.awaitCondition("store 4 holds a replica, every region 3 voters", T, () -> {
                List<SchedulerReply.RegionInfo> regions = directory(c);
                return regions.size() == 4
                        && regions.stream().anyMatch(r -> voterStores(r.region()).contains(4L))
                        && regions.stream().allMatch(r -> voterStores(r.region()).size() == 3
                                && r.region().getPeersCount() == 3);
            });
            for (String k : keys) {
                for (int i = 0; i < 20; i++) {
                    assertEquals(Optional.of(ByteString.copyFromUtf8("v".repeat(200))), client.get(
                            ByteString.copyFromUtf8(k + i)).toCompletableFuture().get(30, TimeUnit.SECONDS));
                }
            }
        }
    }
}
