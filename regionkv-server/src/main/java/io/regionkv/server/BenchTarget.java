package io.regionkv.server;

import io.regionkv.RegionKV;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.regionkv.store.StoreMetrics;
import io.regionkv.transport.StoreDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * The cluster {@code regionkv bench} talks to: started in this process, or joined over the network as a
 * client-only member, or reached through the gRPC API of its nodes without joining it.
 */
final class BenchTarget implements AutoCloseable {

    private final BenchKv api;
    private final BenchAdmin admin;
    private final Duration requestTimeout;
    private final String description;
    private final Runnable closer;
    /** The stores' round counters, summed, when they run in this process; null otherwise. */
    private final Supplier<StoreRounds> rounds;

    private BenchTarget(BenchKv api, BenchAdmin admin, Duration requestTimeout, String description, Runnable closer) {
        this(api, admin, requestTimeout, description, closer, null);
    }

    private BenchTarget(BenchKv api, BenchAdmin admin, Duration requestTimeout, String description, Runnable closer,
            Supplier<StoreRounds> rounds) {
        this.api = api;
        this.admin = admin;
        this.requestTimeout = requestTimeout;
        this.description = description;
        this.closer = closer;
        this.rounds = rounds;
    }

    private BenchTarget(RegionKV kv, String description, Runnable closer) {
        this(BenchKv.of(kv), BenchAdmin.of(kv), kv.client().settings().requestTimeout(), description, closer);
    }

    /**
     * The nodes at {@code endpoints} through their gRPC API, each call with the deadline
     * {@code regionkv.client.request-timeout} of {@code base}: no actor system, no cluster membership.
     */
    static BenchTarget grpc(List<HostPort> endpoints, Config base) {
        Duration timeout = base.getDuration("regionkv.client.request-timeout");
        GrpcBenchKv kv = new GrpcBenchKv(endpoints, timeout);
        return new BenchTarget(kv, kv, timeout, "gRPC endpoints " + endpoints.stream().map(HostPort::toString)
                .collect(java.util.stream.Collectors.joining(",")) + " (plain gRPC client, not a cluster member)",
                kv::close);
    }

    /**
     * Starts {@code nodes} nodes in this process with data under {@code data}, or under a fresh temporary
     * directory (removed on close) when {@code data} is null, and joins them with a client-only node, so
     * that every request crosses the network as it would from a client machine, whichever store leads.
     */
    static BenchTarget inProcess(int nodes, Path data, Config base, Duration timeout) {
        Path dir;
        boolean temporary = data == null;
        try {
            dir = temporary ? Files.createTempDirectory("regionkv-bench-") : data;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary data directory", e);
        }
        Config shared = LocalCluster.sharedCoresConfig(nodes + 1).withFallback(base); // + the client node
        LocalCluster cluster;
        try {
            cluster = LocalCluster.start(nodes, dir, shared, timeout);
        } catch (RuntimeException e) {
            if (temporary) deleteTree(dir);
            throw e;
        }
        Runnable stopCluster = () -> {
            cluster.close();
            if (temporary) deleteTree(dir);
        };
        try {
            var seed = Cluster.get(cluster.systems().get(0)).selfMember().address();
            List<Long> stores = new java.util.ArrayList<>();
            for (long id = 1; id <= nodes; id++) stores.add(id);
            BenchTarget client = join(new HostPort(seed.getHost().get(), (Integer) seed.getPort().get()),
                    "127.0.0.1", stores, LocalCluster.nodeConfig(shared, 0, dir.resolve("client"), List.of()), timeout);
            List<StoreMetrics> storeMetrics = cluster.systems().stream()
                    .map(system -> RegionKV.get(system).node().orElseThrow().metrics()).toList();
            return new BenchTarget(client.api, client.admin, client.requestTimeout, nodes + " nodes in this process (data under " + dir
                    + ") and a client-only node", () -> {
                        client.close();
                        stopCluster.run();
                    }, () -> StoreRounds.sum(storeMetrics));
        } catch (RuntimeException e) {
            stopCluster.run();
            throw e;
        }
    }

    /**
     * Joins the cluster of the node at {@code seed} as a client-only node (no store) reachable at
     * {@code host}, and waits until it is Up and knows where {@code stores} are.
     */
    static BenchTarget connect(HostPort seed, String host, List<Long> stores, Config base, Duration timeout) {
        // Pekko refuses a joining node whose downing provider differs from the cluster's: a cluster of
        // `regionkv server` nodes downs with the settings of ServerCommand.membership, so the bench does too.
        Config servers = base.withFallback(ConfigFactory.defaultReference()).resolve();
        Config client = ServerCommand.membership(servers.getConfig("regionkv.server"), false);
        // The bench client is a JVM of its own, sized like a server node.
        if (servers.getBoolean("regionkv.server.one-pool")) client = client.withFallback(LocalCluster.singleNodeConfig());
        return join(seed, host, stores, client.withFallback(base), timeout);
    }

    /** Joins the cluster at {@code seed} as a client-only node with {@code base}'s cluster settings. */
    private static BenchTarget join(HostPort seed, String host, List<Long> stores, Config base, Duration timeout) {
        Config config = ConfigFactory.empty()
                .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("pekko.coordinated-shutdown.exit-jvm", ConfigValueFactory.fromAnyRef("off"))
                .withValue("regionkv.store-id", ConfigValueFactory.fromAnyRef(0))
                .withValue("regionkv.client.initial-stores", ConfigValueFactory.fromIterable(stores))
                .withFallback(base).resolve();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), HostPort.SYSTEM_NAME, config);
        Runnable stop = () -> {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort on the way out
            }
        };
        try {
            Cluster.get(system).manager().tell(new JoinSeedNodes(List.of(AddressFromURIString.parse(seed.pekkoAddress()))));
            await("joining the cluster at " + seed, timeout,
                    () -> Cluster.get(system).selfMember().status() == MemberStatus.up());
            StoreDirectory directory = StoreDirectory.get(system);
            await("finding stores " + stores, timeout,
                    () -> stores.stream().allMatch(id -> directory.lookup(id).isPresent()));
            return new BenchTarget(RegionKV.get(system), "the cluster at " + seed + " (stores " + stores + ")", stop);
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
    }

    BenchKv api() {
        return api;
    }

    /** Splits and leader transfers, to shape the cluster before a run ({@code --regions}). */
    BenchAdmin admin() {
        return admin;
    }

    /** How long one operation may take before it counts as failed. */
    Duration requestTimeout() {
        return requestTimeout;
    }

    String description() {
        return description;
    }

    /** The summed round counters of the cluster's stores when it runs in this process, else null. */
    Supplier<StoreRounds> rounds() {
        return rounds;
    }

    @Override
    public void close() {
        closer.run();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out after " + timeout.toSeconds()
                    + " s " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + what, e);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // Leaves a temporary directory behind; nothing else depends on it.
        }
    }
}
