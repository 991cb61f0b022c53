package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.client.RegionKvTimeoutException;
import io.regionkv.testkit.TempDirs;
import io.regionkv.testkit.CheckResult;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.HistoryRecorder;
import io.regionkv.testkit.LinearizabilityChecker;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tagged {@code soak} (run with {@code mvn -B -Psoak test -Dtest=ProcessCrashTest}): it takes minutes.
 * Store 1 is every node's only seed, itself included, so a restart of store 1 rejoins only through the
 * members it remembers ({@link KnownMembers}); before that it formed a second cluster and the final reads
 * timed out. The servers' logs (cluster membership at INFO) stay in the directory the test prints.
 *
 * <p>Real {@code regionkv server} JVMs killed with SIGKILL at random moments while clients write, then
 * restarted over the same data: every acknowledged write must survive, and the recorded history must be
 * linearizable. Seed: {@code -Dregionkv.test.seed=N} (printed).
 */
@org.junit.jupiter.api.Tag("soak")
class ProcessCrashTest {

    private static final int STORES = 3;
    private final long seed = Long.getLong("regionkv.test.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Process[] servers = new Process[STORES + 1];
    private final int[] ports = new int[STORES + 1];
    private Path base;
    private ActorSystem<Void> clientNode;
    /** Set at the end of the test: a failed run keeps its data and server logs for reading. */
    private boolean passed;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : servers) {
            if (p != null) p.toHandle().destroyForcibly();
        }
        if (clientNode != null) ClusterSystems.terminate(List.of(clientNode));
        for (Process p : servers) {
            if (p != null) p.waitFor(10, TimeUnit.SECONDS);
        }
        if (passed) TempDirs.deleteTree(base);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startServer(int store) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC",
                // Membership and remoting at INFO: a failed run is read from these logs (left in the test's
                // temporary directory, printed at the start).
                "-Dlogback.configurationFile=logback-server.xml",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dregionkv.raft.tick-interval=50ms",
                "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=20s",
                "-Dpekko.cluster.typed.receptionist.distributed-data.gossip-interval=200ms",
                "-Dpekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval=50ms",
                "-cp", System.getProperty("java.class.path"),
                "io.regionkv.server.Main", "server",
                "--store-id", Integer.toString(store),
                "--data", base.resolve("s" + store).toString(),
                "--port", Integer.toString(ports[store]),
                "--seed", "127.0.0.1:" + ports[1],
                "--initial-stores", "1,2,3"));
        File log = base.resolve("server-" + store + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private int readyLines(int store) {
        try {
            return (int) Files.readAllLines(base.resolve("server-" + store + ".log")).stream()
                    .filter(l -> l.contains(" ready at ")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void acknowledgedWritesSurviveSigkillOfServers() throws Exception {
        System.out.println("ProcessCrashTest seed " + seed);
        base = Files.createTempDirectory("regionkv-proc");
        System.out.println("ProcessCrashTest: data and server logs in " + base);
        for (int i = 1; i <= STORES; i++) ports[i] = freePort();
        for (int i = 1; i <= STORES; i++) servers[i] = startServer(i);
        // A node joining servers must down the way they do (Pekko refuses a different downing provider).
        com.typesafe.config.Config nodeConfig = ClusterSystems.nodeConfig();
        clientNode = ActorSystem.create(Behaviors.empty(), ClusterSystems.SYSTEM_NAME, ServerCommand.membership(
                nodeConfig.withFallback(com.typesafe.config.ConfigFactory.defaultReference()).resolve()
                        .getConfig("regionkv.server"), false).withFallback(nodeConfig));
        Cluster.get(clientNode).manager().tell(new JoinSeedNodes(List.of(
                org.apache.pekko.actor.AddressFromURIString.parse("pekko://regionkv@127.0.0.1:" + ports[1]))));
        RegionKvClient client = new RegionKvClient(clientNode, ClientSettings.defaults()
                .withInitialStores(List.of(1L, 2L, 3L)).withRequestTimeout(Duration.ofSeconds(5)));
        ClusterSystems.awaitCondition("first write accepted", Duration.ofSeconds(120), () -> {
            try {
                client.put(b("hello"), b("world")).toCompletableFuture().get(10, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });

        HistoryRecorder history = new HistoryRecorder();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int id = c;
            Thread t = new Thread(() -> clientLoop(id, client, history, acknowledged, running), "client-" + c);
            t.start();
            clients.add(t);
        }
        int kills = Integer.getInteger("regionkv.proc.kills", 3);
        for (int k = 0; k < kills; k++) {
            Thread.sleep(2000 + random.nextInt(2000));
            int victim = 1 + random.nextInt(STORES);
            System.out.println("SIGKILL store " + victim);
            servers[victim].toHandle().destroyForcibly();
            servers[victim].waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(500 + random.nextInt(1500));
            int readyBefore = readyLines(victim);
            servers[victim] = startServer(victim);
            // One crash at a time: the next kill waits until the restarted node is a cluster member again.
            ClusterSystems.awaitCondition("store " + victim + " rejoined", Duration.ofSeconds(90),
                    () -> readyLines(victim) > readyBefore);
        }
        Thread.sleep(3000);
        running.set(false);
        for (Thread t : clients) t.join(30_000);

        // Every acknowledged write is there, with its value, once the cluster settles.
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            ByteString got = retryGet(client, e.getKey());
            assertEquals(e.getValue(), got == null ? null : got.toStringUtf8(), "acknowledged write of " + e.getKey());
        }
        assertTrue(acknowledged.size() > 20, "the clients made progress: " + acknowledged.size() + " writes");
        CheckResult verdict = new LinearizabilityChecker().check(history.history());
        System.out.println("ProcessCrashTest: " + acknowledged.size() + " acknowledged writes; " + verdict.outcome());
        assertTrue(verdict.isOk(), verdict.toString());
        passed = true;
    }

    private static ByteString retryGet(RegionKvClient client, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return client.get(b(key)).toCompletableFuture().get(30, TimeUnit.SECONDS).orElse(null);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) throw e;
            }
        }
    }

    /** Writes fresh keys and reads them back, recording every operation with its outcome. */
    private static void clientLoop(int id, RegionKvClient client, HistoryRecorder history,
            Map<String, String> acknowledged, AtomicBoolean running) {
        int seq = 0;
        while (running.get()) {
            String key = "c" + id + "-" + (seq % 20);
            String value = "v" + id + "-" + seq++;
            var h = history.invokePut(id, key, value);
            try {
                client.put(b(key), b(value)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                h.ok();
                acknowledged.put(key, value);
            } catch (Exception e) {
                Throwable cause = e instanceof ExecutionException || e instanceof CompletionException ? e.getCause() : e;
                boolean unknown = !(cause instanceof RegionKvTimeoutException t) || t.outcomeUnknown();
                if (unknown) {
                    h.unknown();
                    acknowledged.remove(key); // a later read decides; this write may or may not have happened
                } else {
                    h.fail(true);
                }
            }
            var g = history.invokeGet(id, key);
            try {
                var v = client.get(b(key)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                g.ok(v.map(ByteString::toStringUtf8).orElse(null));
            } catch (Exception e) {
                g.fail(true); // reads have no effect: a failed read did not happen
            }
        }
    }
}
