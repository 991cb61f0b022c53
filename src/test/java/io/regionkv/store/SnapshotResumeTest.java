package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.engine.Db;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.KeyValue;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.raft.StateType;
import io.regionkv.server.RegionKvNode;
import io.regionkv.testing.ClusterSystems;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.FaultInjectingTransport;
import io.regionkv.transport.NetworkFaults;
import io.regionkv.transport.StoreDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A snapshot install cut short after some of its batches: the region is left {@code Applying} on disk; a
 * restarted store redoes the install from the received file before it starts the peer, which catches up
 * with exactly the leader's data.
 */
class SnapshotResumeTest {

    private static final Duration T = Duration.ofSeconds(40);
    /** Values of 100 KiB: 64 of them make a region of more than one install batch. */
    private static final int VALUE_BYTES = 100 * 1024;

    private Path base;
    private final NetworkFaults faults = new NetworkFaults(System.nanoTime());
    private final Map<Long, ActorSystem<Void>> systems = new HashMap<>();
    private final Map<Long, RegionKvNode> nodes = new HashMap<>();
    private ActorSystem<Void> clientNode;
    private RegionKvClient client;

    @BeforeEach
    void start() throws Exception {
        base = Files.createTempDirectory("regionkv-snapresume");
        clientNode = ClusterSystems.startNode(null);
        for (long id = 1; id <= 3; id++) startStore(id);
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        client = new RegionKvClient(clientNode, ClientSettings.defaults().withInitialStores(List.of(1L, 2L, 3L))
                .withRequestTimeout(Duration.ofSeconds(20)));
    }

    private void startStore(long id) {
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

    @AfterEach
    void stop() {
        SnapshotWorker.beforeInstallRead = file -> {};
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.terminate(all);
    }

    private List<PeerStatus> statuses(long store) throws Exception {
        return nodes.get(store).status().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PeerStatus status(long store) throws Exception {
        return statuses(store).get(0);
    }

    private long leaderStore() throws Exception {
        for (long id : nodes.keySet()) {
            List<PeerStatus> s = statuses(id);
            if (!s.isEmpty() && s.get(0).role() == StateType.LEADER) return id;
        }
        return 0;
    }

    private PeerState regionStateOn(long store) {
        try (ReadView v = nodes.get(store).engines().kv().readView()) {
            RegionLocalState s = Meta.regionLocalState(v, RegionKvNode.FIRST_REGION_ID);
            return s == null ? null : s.getState();
        }
    }

    /** Every record of the data column families of a store, in key order. */
    private List<String> data(long store) {
        List<String> out = new ArrayList<>();
        try (ReadView v = nodes.get(store).engines().kv().readView()) {
            for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
                for (KeyValue kv : v.scan(cf, KeySpan.ALL, Integer.MAX_VALUE)) {
                    out.add(cf + " " + Arrays.hashCode(kv.key()) + " " + kv.value().length + " " + Arrays.hashCode(kv.value()));
                }
            }
        }
        return out;
    }

    @Test
    void anInstallCutShortIsRedoneFromItsFileWhenTheStoreRestarts() throws Exception {
        Path store3 = base.resolve("s3");
        AtomicInteger readsOn3 = new AtomicInteger();
        // Read 1 checks the file, read 2 is the first batch; read 3 (the second batch) fails as a dying disk
        // or process would, after the install's first writes.
        SnapshotWorker.beforeInstallRead = file -> {
            if (file.startsWith(store3) && readsOn3.incrementAndGet() == 3) {
                throw new IllegalStateException("test: the install is cut short here");
            }
        };
        client.put(ByteString.copyFromUtf8("first"), ByteString.copyFromUtf8("1")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        ClusterSystems.awaitCondition("store 3 has the first write", T, () -> {
            try {
                return status(3).appliedIndex() >= status(leaderStore()).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        faults.isolate(3);
        long lastOn3 = status(3).lastIndex();
        byte[] value = new byte[VALUE_BYTES];
        for (int i = 0; i < 64; i++) {
            Arrays.fill(value, (byte) i);
            client.put(ByteString.copyFromUtf8("k" + i), ByteString.copyFrom(value)).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
        }
        ClusterSystems.awaitCondition("the leader compacted past store 3's log", T, () -> {
            try {
                long leader = leaderStore();
                return leader != 0 && leader != 3 && status(leader).firstIndex() > lastOn3 + 1;
            } catch (Exception e) {
                return false;
            }
        });
        faults.heal();
        ClusterSystems.awaitCondition("store 3's install was cut short", T, () -> {
            try {
                return statuses(3).isEmpty() && regionStateOn(3) == PeerState.Applying;
            } catch (Exception e) {
                return false;
            }
        });
        SnapshotWorker.beforeInstallRead = file -> {};
        ActorSystem<Void> s3 = systems.remove(3L);
        nodes.remove(3L);
        ClusterSystems.downAndTerminate(s3, clientNode);
        // Cut off from raft traffic, so that only the redone install can fill it (no new snapshot arrives).
        faults.isolate(3);
        startStore(3);
        List<ActorSystem<?>> all = new ArrayList<>(systems.values());
        all.add(clientNode);
        ClusterSystems.awaitUp(all, T);
        long leaderBefore = leaderStore();
        ClusterSystems.awaitCondition("store 3 redid the install on its own", T, () -> {
            try {
                return !statuses(3).isEmpty() && regionStateOn(3) == PeerState.Normal;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(data(leaderBefore), data(3), "the redone install holds the leader's data (no write since)");
        assertTrue(status(3).appliedIndex() > lastOn3, "applied up to the snapshot: " + status(3));
        faults.heal();
        ClusterSystems.awaitCondition("store 3 resumed and caught up", T, () -> {
            try {
                long leader = leaderStore();
                List<PeerStatus> s = statuses(3);
                return leader != 0 && !s.isEmpty() && s.get(0).appliedIndex() >= status(leader).appliedIndex();
            } catch (Exception e) {
                return false;
            }
        });
        client.put(ByteString.copyFromUtf8("after"), ByteString.copyFromUtf8("2")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        long now = leaderStore();
        ClusterSystems.awaitCondition("store 3 holds the leader's data", T, () -> data(3).equals(data(now)));
        assertTrue(data(3).size() >= 66, "every write is there: " + data(3).size() + " records");
    }
}
