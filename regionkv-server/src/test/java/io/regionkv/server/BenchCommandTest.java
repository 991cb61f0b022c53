package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.regionkv.testkit.ClusterSystems;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short end-to-end runs of {@code regionkv bench}: it must print a result table with real throughput. */
class BenchCommandTest {

    private static final Pattern ROW = Pattern.compile(
            "^(put|get)\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)\\s+(-?\\d+)$");

    private record Row(String op, int concurrency, long opsPerSecond, long errors) {}

    /** The rows of the result table in {@code out}. */
    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                rows.add(new Row(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(8))));
            }
        }
        return rows;
    }

    private static void assertTable(String out, List<Integer> concurrency) {
        assertTrue(out.contains(PhaseResult.HEADER), "table header in: " + out);
        List<Row> rows = rows(out);
        List<String> expected = new ArrayList<>();
        for (String op : List.of("put", "get")) {
            for (int c : concurrency) expected.add(op + "/" + c);
        }
        List<String> seen = new ArrayList<>();
        for (Row r : rows) seen.add(r.op() + "/" + r.concurrency());
        assertEquals(expected, seen, "one row per phase, puts first; output: " + out);
        for (Row r : rows) {
            assertTrue(r.opsPerSecond() > 0, "no throughput in " + r + "; output: " + out);
            assertEquals(0, r.errors(), "errors in " + r + "; output: " + out);
        }
    }

    @Test
    void benchAgainstAnInProcessClusterPrintsAResultTable() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.regionkv.cli.Main.run(new String[] {"bench", "--keys", "500", "--warmup", "200ms", "--duration", "1s",
                "--concurrency", "1,16"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, "stdout: " + o + "\nstderr: " + e);
        assertTable(o, List.of(1, 16));
        // The stores are in this process: the rounds they ran, one row per phase; puts logged and applied entries.
        assertTrue(o.contains(StoreRounds.HEADER), "rounds table in: " + o);
        for (int c : List.of(1, 16)) {
            Matcher m = Pattern.compile("(?m)^put\\s+" + c + "\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)$").matcher(o);
            assertTrue(m.find(), "rounds row of put/" + c + " in: " + o);
            assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0
                    && Double.parseDouble(m.group(3)) > 0, "puts wrote and applied entries: " + m.group());
        }
        assertTrue(e.contains("prefill 500 keys"), "prefill reported: " + e);
        assertTrue(e.toLowerCase(Locale.ROOT).contains("ops/s"), "progress lines: " + e);
    }

    /** A real {@code regionkv server} node (in this JVM) and the bench joining it with --connect. */
    @Test
    void benchConnectsToARunningServer(@TempDir Path data) throws Exception {
        Config base = ClusterSystems.nodeConfig();
        ActorSystem<Void> server = ServerCommand.start(
                new ServerOptions(1, data.resolve("s1"), "127.0.0.1", 0, List.of(), List.of(1L)), base);
        try {
            var address = Cluster.get(server).selfMember().address();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            BenchOptions options = new BenchOptions(new HostPort(address.getHost().get(), address.getPort().get()),
                    "127.0.0.1", List.of(1L), null, 3, 200, 256, List.of(4), Duration.ZERO, Duration.ofSeconds(1), List.of());
            int code = BenchCommand.run(options, base, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String o = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, "stdout: " + o + "\nstderr: " + err.toString(StandardCharsets.UTF_8));
            assertTable(o, List.of(4));
            assertTrue(o.contains("the cluster at " + address.getHost().get()), o);
            assertTrue(!o.contains(StoreRounds.HEADER), "no rounds of stores in another process: " + o);
        } finally {
            server.terminate();
            server.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The same node's gRPC API, called by the bench as a plain gRPC client (--endpoints): no cluster join. */
    @Test
    void benchCallsARunningServerOverGrpc(@TempDir Path data) throws Exception {
        Config base = ClusterSystems.nodeConfig();
        ServerOptions serverOptions = new ServerOptions(1, data.resolve("s1"), "127.0.0.1", 0, List.of(), List.of(1L),
                0, 0);
        ActorSystem<Void> server = ServerCommand.start(serverOptions, base);
        try {
            ServerEndpoints endpoints = ServerEndpoints.start(server, serverOptions);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = io.regionkv.cli.Main.run(new String[] {"bench", "--endpoints", "127.0.0.1:" + endpoints.grpcPort(),
                    "--keys", "200", "--warmup", "0s", "--duration", "1s", "--concurrency", "1,8"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String o = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, "stdout: " + o + "\nstderr: " + err.toString(StandardCharsets.UTF_8));
            assertTable(o, List.of(1, 8));
            assertTrue(o.contains("gRPC endpoints 127.0.0.1:" + endpoints.grpcPort()), o);
        } finally {
            server.terminate();
            server.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
