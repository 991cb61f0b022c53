package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.regionkv.store.StorageFailure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code regionkv local} says when one of its nodes shuts down because its storage failed, and says
 * nothing when the nodes stop because the shell exits. How a failed raft log leads to that shutdown is
 * StorageFailureTest's (regionkv-testkit); here the node is shut down with that reason directly.
 */
class LocalStorageFailureReportTest {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aNodeShutDownForItsStorageIsReportedAndACleanStopIsNot() throws Exception {
        Config config = ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(LocalCluster.sharedCoresConfig(2)).withFallback(ConfigFactory.load());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        java.util.List<org.apache.pekko.actor.typed.ActorSystem<Void>> systems;
        try (LocalCluster cluster = LocalCluster.start(2, dir, config, T)) {
            systems = cluster.systems();
            LocalCommand.reportStorageFailures(cluster, err);
            var failing = cluster.systems().get(1);
            CoordinatedShutdown.get(failing).runAll(StorageFailure.RAFT_LOG_FAILED);
            failing.getWhenTerminated().toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
            io.regionkv.testkit.ClusterSystems.awaitCondition("the report", T, () -> bytes.size() > 0); // a callback
            assertEquals("regionkv: store 2 shut down because its storage failed (see the log); the other nodes go on, "
                    + "and restarting regionkv local reopens its storage\n", bytes.toString(StandardCharsets.UTF_8));
        }
        systems.get(0).getWhenTerminated().toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
        Thread.sleep(500); // time for a wrong report of the clean stop to appear
        assertEquals(1, bytes.toString(StandardCharsets.UTF_8).lines().count(), "the clean stop of store 1 said nothing");
    }
}
