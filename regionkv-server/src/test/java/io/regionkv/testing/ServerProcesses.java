package io.regionkv.testing;

import io.regionkv.testkit.ClusterSystems;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real {@code regionkv server} JVMs on this machine, one per store. The cluster port is chosen free at the
 * start and kept across restarts (the seeds must be known in advance); the gRPC and HTTP ports are picked
 * by each server itself (port 0) and read from its {@code serving} line, since a port found free here can
 * be taken by some outgoing connection before the server binds it. Store 1 is every node's seed. Each server's output goes to {@code server-N.log} in {@code base}, which
 * the tests print so that a failed run can be read.
 */
public final class ServerProcesses implements AutoCloseable {

    private final Path base;
    private final int stores;
    private final Process[] servers;
    private final int[] clusterPorts;
    private final int[] servingBefore;
    private final List<String> extraJvmArgs;
    /** The first region's stores, or null for all of them. */
    private List<String> initialStores;

    public ServerProcesses(Path base, int stores) throws IOException {
        this(base, stores, List.of());
    }

    /** As above, each server JVM also given {@code extraJvmArgs} (e.g. {@code -D} settings) after the defaults. */
    public ServerProcesses(Path base, int stores, List<String> extraJvmArgs) throws IOException {
        this.extraJvmArgs = List.copyOf(extraJvmArgs);
        this.base = base;
        this.stores = stores;
        this.servers = new Process[stores + 1];
        this.clusterPorts = new int[stores + 1];
        this.servingBefore = new int[stores + 1];
        for (int i = 1; i <= stores; i++) clusterPorts[i] = freePort();
    }

    /**
     * Bootstraps the first region on {@code ids} only (default: every store), so that the other stores
     * start empty and receive replicas later, e.g. by a snapshot. Call before the first {@link #start}.
     */
    public ServerProcesses initialStores(int... ids) {
        List<String> list = new ArrayList<>();
        for (int id : ids) list.add(Integer.toString(id));
        this.initialStores = List.copyOf(list);
        return this;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final Pattern SERVING = Pattern.compile(" serving grpc [^ ]+:(\\d+) http [^ ]+:(\\d+)");

    /** The gRPC port of the running server of {@code store} (from its latest serving line). */
    public int grpcPort(int store) {
        return servingPort(store, 1);
    }

    public int httpPort(int store) {
        return servingPort(store, 2);
    }

    public String grpcEndpoint(int store) {
        return "127.0.0.1:" + grpcPort(store);
    }

    private int servingPort(int store, int group) {
        List<String> lines = servingLines(store);
        if (lines.size() <= servingBefore[store]) throw new IllegalStateException("store " + store + " serves nothing yet");
        Matcher m = SERVING.matcher(lines.get(lines.size() - 1));
        if (!m.find()) throw new IllegalStateException("unreadable serving line: " + lines.get(lines.size() - 1));
        return Integer.parseInt(m.group(group));
    }

    private List<String> servingLines(int store) {
        try {
            return Files.readAllLines(base.resolve("server-" + store + ".log")).stream()
                    .filter(l -> SERVING.matcher(l).find()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Waits until the server of {@code store} started last has bound its gRPC and HTTP ports. */
    public void awaitServing(int store, Duration timeout) {
        ClusterSystems.awaitCondition("store " + store + " serving", timeout,
                () -> servingLines(store).size() > servingBefore[store]);
    }

    /** Starts (or restarts, over the same data) the server of {@code store}. */
    public void start(int store) throws IOException {
        servingBefore[store] = servingLines(store).size();
        List<String> stores1ToN = new ArrayList<>();
        for (int i = 1; i <= stores; i++) stores1ToN.add(Integer.toString(i));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=logback-server.xml",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dregionkv.raft.tick-interval=50ms",
                "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=20s",
                "-Dpekko.cluster.typed.receptionist.distributed-data.gossip-interval=200ms",
                "-Dpekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval=50ms"));
        cmd.addAll(extraJvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.regionkv.cli.Main", "server",
                "--store-id", Integer.toString(store),
                "--data", base.resolve("s" + store).toString(),
                "--port", Integer.toString(clusterPorts[store]),
                "--seed", "127.0.0.1:" + clusterPorts[1],
                "--initial-stores", String.join(",", initialStores != null ? initialStores : stores1ToN),
                "--grpc-port", "0", "--http-port", "0"));
        File log = base.resolve("server-" + store + ".log").toFile();
        servers[store] = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    /**
     * SIGTERM, as an operator stops a node: the JVM runs coordinated shutdown. Waits up to {@code timeout}
     * for the process to exit and returns its exit code.
     */
    public int terminate(int store, Duration timeout) throws InterruptedException {
        servers[store].toHandle().destroy();
        if (!servers[store].waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("store " + store + " did not exit within " + timeout + " of SIGTERM");
        }
        return servers[store].exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush; what the store fsynced is all it keeps. */
    public void kill(int store) throws InterruptedException {
        servers[store].toHandle().destroyForcibly();
        servers[store].waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the JVM freezes mid-whatever, its sockets stay open; {@link #resume} continues it. */
    public void pause(int store) throws IOException, InterruptedException {
        signal(store, "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(int store) throws IOException, InterruptedException {
        signal(store, "CONT");
    }

    private void signal(int store, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(servers[store].pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " of store " + store + " failed");
        }
    }

    /** The process id of the server of {@code store} started last. */
    public long pid(int store) {
        return servers[store].pid();
    }

    /** Whether the server of {@code store} started last is still running. */
    public boolean isAlive(int store) {
        return servers[store] != null && servers[store].isAlive();
    }

    /** How many times the server of {@code store} has said it is an Up member (once per start). */
    public int readyLines(int store) {
        try {
            return (int) Files.readAllLines(base.resolve("server-" + store + ".log")).stream()
                    .filter(l -> l.contains(" ready at ")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Waits until the server of {@code store} has printed more than {@code before} ready lines. */
    public void awaitReady(int store, int before, Duration timeout) {
        ClusterSystems.awaitCondition("store " + store + " ready", timeout, () -> readyLines(store) > before);
    }

    @Override
    public void close() {
        for (Process p : servers) {
            if (p != null) p.toHandle().destroyForcibly();
        }
        for (Process p : servers) {
            if (p == null) continue;
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
