package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.regionkv.testkit.ClusterSystems;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black box: the membership commands of {@code regionkv local} on 4 nodes: {@code stores},
 * {@code remove-peer}, {@code add-peer} (a learner, promoted when caught up), {@code transfer-leader},
 * each printing {@code OK} or {@code ERR <reason>}, with {@code regions} showing the effect.
 */
class LocalShellMembershipTest {

    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String run(LocalCluster cluster, String... lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try {
            new LocalShell(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), out,
                    LocalCommand.backend(cluster), false).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void awaitRegions(LocalCluster cluster, String what, Predicate<String> ok) {
        ClusterSystems.awaitCondition(what, T, () -> ok.test(run(cluster, "regions")));
    }

    @Test
    void storesAddRemoveAndTransfer() {
        Config config = ConfigFactory.parseString(String.join("\n",
                "regionkv.scheduler.region-heartbeat-interval = 200ms",
                "regionkv.scheduler.store-heartbeat-interval = 200ms",
                "pekko.loglevel = WARNING"))
                .withFallback(LocalCluster.sharedCoresConfig(4)).withFallback(ConfigFactory.load());
        try (LocalCluster cluster = LocalCluster.start(4, dir, config, T)) {
            assertEquals("OK\n", run(cluster, "put a 1"));
            ClusterSystems.awaitCondition("4 stores Up", T, () -> run(cluster, "stores").matches(
                    "(store [1-4] Up regions=1 leaders=[01]\n){4}\\(4 stores\\)\n"));
            assertEquals("OK\n", run(cluster, "remove-peer 1 4"));
            awaitRegions(cluster, "store 4 removed", out -> out.contains("voters=1,2,3 learners=\n"));
            assertEquals("OK\n", run(cluster, "add-peer 1 4"));
            awaitRegions(cluster, "store 4 a voter again", out -> out.contains("voters=1,2,3,4 learners=\n"));
            String again = run(cluster, "add-peer 1 4");
            assertTrue(again.startsWith("ERR ") && again.contains("store 4 already holds"), again);
            ClusterSystems.awaitCondition("store 4 leads", T,
                    () -> run(cluster, "transfer-leader 1 4").equals("OK\n")
                            && run(cluster, "regions").contains(" leader=4 "));
            String bad = run(cluster, "remove-peer 1 9", "transfer-leader 2 1");
            assertTrue(bad.matches("ERR .*no peer on store 9.*\nERR .*region 2 .*\n"), bad);
            assertEquals("1\n", run(cluster, "get a"));
        }
    }
}
