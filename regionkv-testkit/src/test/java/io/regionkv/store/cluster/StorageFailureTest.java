package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.StorageFailure;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/**
 * A store whose raft log fails for good does not linger as a member that looks healthy while its peers
 * restart into the same failure: its node shuts down with {@link StorageFailure} as the reason, the other
 * replicas go on, and the store, restarted on its data, catches up with nothing acknowledged lost.
 */
class StorageFailureTest {

    private static final Duration MUST = Duration.ofSeconds(30);
    private static final long REGION = RegionKvNode.FIRST_REGION_ID;
    /** Small segments, so that the leader's store starts a new one after a few dozen puts. */
    private static final String SMALL_SEGMENTS = "regionkv.engine.raft-log-segment-size = 64KiB";

    @Test
    void aStoreWhoseRaftLogFailsShutsItsNodeDownAndComesBackOnItsData() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("StorageFailure").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(5)).withConfig(SMALL_SEGMENTS))) {
            RecordedClient client = cluster.client(0);
            for (int i = 0; i < 10; i++) client.mustPut("k" + i % 4, "v" + i, MUST);
            PeerStatus leader = cluster.awaitLeader(REGION, MUST);
            long store = leader.storeId();
            ActorSystem<?> failing = cluster.system(store);

            // A real I/O error: the leader's raft log cannot create its next segment files.
            List<Path> obstacles = blockNextSegments(cluster.dataDir(store).resolve("raft-log"), 3);
            String big = "x".repeat(2048);
            int puts = 0;
            long deadline = System.nanoTime() + MUST.toNanos();
            while (!failing.whenTerminated().isCompleted() && System.nanoTime() < deadline) {
                client.put("k" + puts % 4, big + puts); // its outcome may be unknown while the leader fails
                puts++;
            }
            assertTrue(failing.whenTerminated().isCompleted(), "store " + store + " shut down after " + puts + " puts");
            assertTrue(StorageFailure.causedShutdownOf(failing), "the shutdown names the storage failure");
            cluster.stopNode(store); // already down: closes the books and downs it

            // The other two replicas go on.
            client.mustPut("k0", "while-away", MUST);
            assertEquals(Optional.of("while-away"), client.mustGet("k0", MUST));

            // Restarted on its data (the obstacles gone), the store replays its log and catches up.
            for (Path obstacle : obstacles) Files.deleteIfExists(obstacle);
            cluster.startNode(store);
            client.mustPut("k1", "after-restart", MUST);
            cluster.awaitReplicated(REGION, MUST);
            assertTrue(cluster.status(store, REGION).isPresent(), "store " + store + " serves the region again");
            assertEquals(Optional.of("after-restart"), client.mustGet("k1", MUST));
            cluster.assertLinearizable();
        }
    }

    /** Directories in the names of the next {@code count} segments, which the log can then not create. */
    private static List<Path> blockNextSegments(Path logDir, int count) throws Exception {
        Path last;
        try (Stream<Path> files = Files.list(logDir)) {
            last = files.filter(f -> f.toString().endsWith(".raftlog")).max(Path::compareTo).orElseThrow();
        }
        String name = last.getFileName().toString();
        String digits = name.substring(0, name.indexOf('.'));
        List<Path> made = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Path next = logDir.resolve(String.format("%0" + digits.length() + "d.raftlog", Long.parseLong(digits) + i));
            if (!Files.exists(next)) made.add(Files.createDirectory(next));
        }
        return made;
    }
}
