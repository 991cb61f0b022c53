package io.regionkv.store.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.raft.StateType;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.StoreSettings;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.testkit.FaultInjectingTransport;
import io.regionkv.testkit.NetworkFaults;
import io.regionkv.transport.StoreDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A received snapshot file damaged before it is installed: the follower drops it, stays alive, gets the
 * snapshot sent again and catches up.
 */
class SnapshotChecksumTest {

    private static final Duration T = Duration.ofSeconds(30);

    private Path base;
    private final NetworkFaults faults = new NetworkFaults(System.nanoTime());
    private final Map<Long, ActorSystem<Void>> systems = new HashMap<>();
    private final Map<Long, RegionKvNode> nodes = new HashMap<>();
    private ActorSystem<Void> clientNode;
    private RegionKvClient client;

    @BeforeEach
    void start() throws Exception {
        base = Files.createTempDirectory("regionkv-snapsum");
        clientNode = ClusterSystems.startNode(null);
        for (long id = 1; id <= 3; id++) {
            ActorSystem<Void> s = ClusterSystems.startNode(clientNode);
            StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                    "regionkv.raft.tick-interval = 30ms\nregionkv.raft.log-gc-tick-interval = 2\n"
                            + "regionkv.raft.log-gc-count-limit = 10\nregionkv.store-id = " + id
                            + "\nregionkv.initial-stores = [1, 2, 3]\nregionkv.data-dir = \"" + base.resolve("s" + id) + "\"")
                    .withFallback(ConfigFactory.load()));
            nodes.put(id, RegionKvNode.start(s, settings, new FaultInjectingTransport(
                    new ArteryRaftTransport(StoreDirectory.get(s)), faults, s.scheduler(), s.executionContext())));
            systems.put(id, s);
        }
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        client = new RegionKvClient(clientNode, ClientSettings.defaults().withInitialStores(List.of(1L, 2L, 3L))
                .withRequestTimeout(Duration.ofSeconds(15)));
    }

    @AfterEach
    void stop() {
        SnapshotWorker.beforeInstallRead = file -> {};
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.terminate(all);
    }

    private PeerStatus status(long store) throws Exception {
        return nodes.get(store).status().toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
    }

    private long leaderStore() throws Exception {
        for (long id : nodes.keySet()) {
            if (status(id).role() == StateType.LEADER) return id;
        }
        return 0;
    }

    /** Flips one byte in the middle of {@code file}. */
    private static void corrupt(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() / 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.flip();
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            ch.write(b, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aCorruptedSnapshotIsDroppedSentAgainAndTheFollowerCatchesUp() throws Exception {
        client.put(ByteString.copyFromUtf8("first"), ByteString.copyFromUtf8("1")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        ClusterSystems.awaitCondition("every store has the first write", T, () -> {
            try {
                long leader = leaderStore();
                return leader != 0 && status(1).appliedIndex() >= status(leader).appliedIndex()
                        && status(2).appliedIndex() >= status(leader).appliedIndex()
                        && status(3).appliedIndex() >= status(leader).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        // The follower to cut off: not the leader, so the region keeps a quorum without it.
        long victim = leaderStore() == 3 ? 2 : 3;
        Path victimDir = base.resolve("s" + victim);
        AtomicInteger installsOnVictim = new AtomicInteger();
        SnapshotWorker.beforeInstallRead = file -> {
            if (file.startsWith(victimDir) && installsOnVictim.incrementAndGet() == 1) corrupt(file);
        };
        faults.isolate(victim);
        long lastOnVictim = status(victim).lastIndex();
        for (int i = 0; i < 60; i++) {
            client.put(ByteString.copyFromUtf8("k" + i), ByteString.copyFromUtf8("v" + i)).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
        }
        ClusterSystems.awaitCondition("the leader compacted past the cut-off store's log", T, () -> {
            try {
                long leader = leaderStore();
                return leader != 0 && leader != victim && status(leader).firstIndex() > lastOnVictim + 1;
            } catch (Exception e) {
                return false;
            }
        });
        faults.heal();
        ClusterSystems.awaitCondition("the cut-off store caught up", T, () -> {
            try {
                long leader = leaderStore();
                return leader != 0 && status(victim).appliedIndex() >= status(leader).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(installsOnVictim.get() >= 2, "the damaged snapshot was sent again: " + installsOnVictim.get() + " install reads");
        assertTrue(status(victim).firstIndex() > lastOnVictim + 1, "the cut-off store was filled by a snapshot, not by replay");
        // The cut-off store's peer lives on and keeps applying.
        client.put(ByteString.copyFromUtf8("after"), ByteString.copyFromUtf8("2")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        ClusterSystems.awaitCondition("the cut-off store applies new writes", T, () -> {
            try {
                long leader = leaderStore();
                return leader != 0 && status(victim).appliedIndex() >= status(leader).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(1, nodes.get(victim).status().toCompletableFuture().get(10, TimeUnit.SECONDS).size());
    }
}
