package io.regionkv.store.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.RegionKvNode;
import io.regionkv.client.RegionKvClient;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A received snapshot file damaged before it is installed: the follower drops it, stays alive, gets the
 * snapshot sent again and catches up.
 */
class SnapshotChecksumTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final long REGION = RegionKvNode.FIRST_REGION_ID;

    private TestCluster cluster;
    private RegionKvClient client;

    @BeforeEach
    void start() {
        cluster = TestCluster.start(TestCluster.Options.of("SnapshotChecksumTest").withNodes(3)
                .withConfig("regionkv.raft.log-gc-tick-interval = 2\nregionkv.raft.log-gc-count-limit = 10"));
        client = cluster.unrecordedClient(Duration.ofSeconds(15));
    }

    @AfterEach
    void stop() {
        SnapshotWorker.beforeInstallRead = file -> {};
        cluster.close();
    }

    private PeerStatus status(long store) {
        return cluster.status(store, REGION).orElseThrow();
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
        cluster.awaitReplicated(REGION, T);
        // The follower to cut off: not the leader, so the region keeps a quorum without it.
        long victim = cluster.awaitLeader(REGION, T).storeId() == 3 ? 2 : 3;
        Path victimDir = cluster.dataDir(victim);
        AtomicInteger installsOnVictim = new AtomicInteger();
        SnapshotWorker.beforeInstallRead = file -> {
            if (file.startsWith(victimDir) && installsOnVictim.incrementAndGet() == 1) corrupt(file);
        };
        cluster.faults().isolate(victim);
        long lastOnVictim = status(victim).lastIndex();
        for (int i = 0; i < 60; i++) {
            client.put(ByteString.copyFromUtf8("k" + i), ByteString.copyFromUtf8("v" + i)).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
        }
        ClusterSystems.awaitCondition("the leader compacted past the cut-off store's log", T,
                () -> cluster.leader(REGION).filter(l -> l.storeId() != victim && l.firstIndex() > lastOnVictim + 1)
                        .isPresent());
        cluster.faults().heal();
        cluster.awaitReplicated(REGION, T);
        assertTrue(installsOnVictim.get() >= 2, "the damaged snapshot was sent again: " + installsOnVictim.get() + " install reads");
        assertTrue(status(victim).firstIndex() > lastOnVictim + 1, "the cut-off store was filled by a snapshot, not by replay");
        // The cut-off store's peer lives on and keeps applying.
        client.put(ByteString.copyFromUtf8("after"), ByteString.copyFromUtf8("2")).toCompletableFuture().get(20, TimeUnit.SECONDS);
        cluster.awaitReplicated(REGION, T);
    }
}
