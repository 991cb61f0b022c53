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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black box: {@code regionkv local} (its cluster and shell) with a small {@code region-max-size}. As data
 * grows the regions split by themselves, {@code regions} lists them, {@code split KEY} splits by hand,
 * and every key written reads back and a full scan returns them all in order, before and after a restart.
 */
class LocalShellSplitTest {

    private static final int KEYS = 300;
    private static final Pattern REGION_LINE =
            Pattern.compile("region \\d+ \\[[^,]*, [^)]*\\) leader=(\\d+|\\?) voters=[\\d,]+ learners=[\\d,]*");

    @TempDir
    Path dir;

    private static Config base() {
        return ConfigFactory.parseString(String.join("\n",
                "regionkv.split.check-interval = 100ms",
                "regionkv.split.region-max-size = 8KiB",
                "regionkv.split.region-split-size = 4KiB",
                "regionkv.scheduler.region-heartbeat-interval = 300ms",
                "pekko.loglevel = WARNING"))
                .withFallback(LocalCluster.sharedCoresConfig(3)).withFallback(ConfigFactory.load());
    }

    private static String run(LocalCluster cluster, List<String> lines) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new LocalShell(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), out,
                LocalCommand.backend(cluster), false).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String key(int i) {
        return String.format("user%05d", (i * 7919) % KEYS);
    }

    /** Region lines of {@code regions}, checked for format; the count line must match. */
    private static List<String> regions(LocalCluster cluster) throws IOException {
        String[] lines = run(cluster, List.of("regions")).split("\n");
        List<String> regions = new ArrayList<>();
        for (int i = 0; i < lines.length - 1; i++) {
            assertTrue(REGION_LINE.matcher(lines[i]).matches(), "region line: " + lines[i]);
            regions.add(lines[i]);
        }
        assertEquals("(" + regions.size() + " regions)", lines[lines.length - 1]);
        return regions;
    }

    @Test
    void regionsSplitAsDataGrowsAndAllKeysSurviveARestart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, dir, base(), Duration.ofSeconds(60))) {
            List<String> puts = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) puts.add("put " + key(i) + " value of " + key(i) + " " + "x".repeat(80));
            String out = run(cluster, puts);
            assertEquals("OK\n".repeat(KEYS), out);
            ClusterSystems.awaitCondition("at least 4 regions listed", Duration.ofSeconds(60), () -> {
                try {
                    return regions(cluster).size() >= 4;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            int before = regions(cluster).size();
            // A key inside a region splits it; the same key again is a boundary now and is refused.
            assertEquals("OK\n", run(cluster, List.of("split user00150x")));
            String again = run(cluster, List.of("split user00150x"));
            assertTrue(again.startsWith("ERR "), again);
            ClusterSystems.awaitCondition("the hand-made split listed", Duration.ofSeconds(30), () -> {
                try {
                    return regions(cluster).stream().anyMatch(l -> l.contains(" [user00150x, "))
                            && regions(cluster).size() > before;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            checkAll(cluster);
        }
        try (LocalCluster cluster = LocalCluster.start(3, dir, base(), Duration.ofSeconds(60))) {
            checkAll(cluster);
            ClusterSystems.awaitCondition("regions listed after the restart", Duration.ofSeconds(60), () -> {
                try {
                    return regions(cluster).size() >= 5;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void splitAndRegionsWorkWithOneToFiveNodes(int nodes) throws Exception {
        Config config = ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(LocalCluster.sharedCoresConfig(nodes)).withFallback(ConfigFactory.load());
        try (LocalCluster cluster = LocalCluster.start(nodes, dir.resolve("n" + nodes), config, Duration.ofSeconds(60))) {
            assertEquals("OK\nOK\nOK\n", run(cluster, List.of("put a 1", "put q 2", "split m")));
            ClusterSystems.awaitCondition("two regions listed", Duration.ofSeconds(30), () -> {
                try {
                    List<String> r = regions(cluster);
                    return r.size() == 2 && r.get(0).contains(" [, m) ") && r.get(1).contains(" [m, ) ")
                            && r.stream().allMatch(l -> l.split("voters=")[1].split(" ")[0].split(",").length == nodes);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("1\n2\na 1\nq 2\n(2 keys)\n", run(cluster, List.of("get a", "get q", "scan \"\" \"\"")));
        }
    }

    private static void checkAll(LocalCluster cluster) throws IOException {
        List<String> gets = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < KEYS; i++) {
            gets.add("get " + key(i));
            expected.append("value of ").append(key(i)).append(' ').append("x".repeat(80)).append('\n');
        }
        assertEquals(expected.toString(), run(cluster, gets));
        StringBuilder scan = new StringBuilder();
        for (int i = 0; i < KEYS; i++) {
            String k = String.format("user%05d", i);
            scan.append(k).append(" value of ").append(k).append(' ').append("x".repeat(80)).append('\n');
        }
        scan.append("(").append(KEYS).append(" keys)\n");
        assertEquals(scan.toString(), run(cluster, List.of("scan \"\" \"\" 1000")));
    }
}
