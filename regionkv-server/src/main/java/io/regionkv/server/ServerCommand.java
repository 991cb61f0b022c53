package io.regionkv.server;

import io.regionkv.RegionKV;
import io.regionkv.transport.RaftTransportDecorator;
import io.regionkv.RegionKvNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.regionkv.store.IoDispatcher;
import io.regionkv.store.StorageFailure;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * {@code regionkv server}: one node of a real cluster. It joins the seed nodes (or itself, starting a new
 * cluster; a restart first tries the members it remembers, see {@link KnownMembers}), starts its store,
 * prints a line with {@code ready} once it is an Up member, and runs until SIGTERM or SIGINT, which run
 * Pekko's coordinated shutdown (the JVM shutdown hook).
 */
public final class ServerCommand {

    /** How long the node may take to become an Up member before the command gives up. */
    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);

    private ServerCommand() {}

    public static int run(ServerOptions options, PrintStream out, PrintStream err) {
        StartupTimeline timeline = new StartupTimeline();
        ActorSystem<Void> system;
        try {
            system = start(options, ConfigFactory.load(), timeline);
        } catch (RuntimeException e) {
            err.println("regionkv server: " + e.getMessage());
            return 1;
        }
        ServerEndpoints endpoints;
        try {
            endpoints = ServerEndpoints.start(system, options);
        } catch (java.io.IOException | RuntimeException e) {
            err.println("regionkv server: cannot serve gRPC on " + options.host() + ":" + options.grpcPort()
                    + " and HTTP on " + options.host() + ":" + options.httpPort() + ": " + e);
            system.terminate();
            awaitTermination(system);
            return 1;
        }
        timeline.mark("endpoints bound");
        // Printed before joining, so that a port chosen with 0 is known while the node waits for its seeds.
        out.println("regionkv server: store " + options.storeId() + " serving grpc " + options.host() + ":"
                + endpoints.grpcPort() + " http " + options.host() + ":" + endpoints.httpPort());
        out.flush();
        try {
            awaitUp(system, JOIN_TIMEOUT);
        } catch (IllegalStateException e) {
            err.println("regionkv server: " + e.getMessage());
            system.terminate();
            return 1;
        }
        timeline.mark("member up");
        out.println("regionkv server: store " + options.storeId() + " ready at " + Cluster.get(system).selfMember().address()
                + " grpc " + options.host() + ":" + endpoints.grpcPort() + " http " + options.host() + ":"
                + endpoints.httpPort() + " (data " + options.data().toAbsolutePath() + ")");
        out.flush();
        java.util.Optional<RegionKvNode> node = RegionKV.get(system).node();
        timeline.logOnceLeadersKnown(options.storeId(), node, JOIN_TIMEOUT.toMillis());
        try {
            system.getWhenTerminated().toCompletableFuture().get();
        } catch (Exception e) {
            return 1;
        }
        node.ifPresent(n -> n.awaitClosed(java.time.Duration.ofSeconds(30)));
        if (StorageFailure.causedShutdownOf(system)) {
            // Not a clean stop: a supervisor should restart the process, which reopens the storage.
            err.println("regionkv server: store " + options.storeId() + " shut down because its storage failed"
                    + " (see the log); restart it to reopen the storage");
            return 1;
        }
        return 0;
    }

    /** Creates the node's actor system, asks it to join the cluster and starts its store. */
    static ActorSystem<Void> start(ServerOptions options, Config base) {
        return start(options, base, new StartupTimeline());
    }

    private static ActorSystem<Void> start(ServerOptions options, Config base, StartupTimeline timeline) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), HostPort.SYSTEM_NAME, config(options, base));
        timeline.mark("actor system");
        try {
            List<Address> given = new ArrayList<>();
            for (HostPort seed : options.seeds()) given.add(AddressFromURIString.parse(seed.pekkoAddress()));
            // A restarted server also tries the members it saw last, so that it rejoins its cluster rather
            // than forming a second one when its only seed is itself (see KnownMembers).
            List<Address> seeds = KnownMembers.seeds(given, Cluster.get(system).selfMember().address(),
                    KnownMembers.read(options.data()));
            Cluster.get(system).manager().tell(new JoinSeedNodes(seeds));
            RegionKV.get(system); // opens the data directory and starts the store
            timeline.mark("store started");
            system.systemActorOf(KnownMembers.recorder(options.data()), "regionkv-known-members",
                    IoDispatcher.SELECTOR);
        } catch (RuntimeException e) {
            system.terminate();
            awaitTermination(system);
            throw e;
        }
        return system;
    }

    static Config config(ServerOptions options, Config base) {
        Config c = ConfigFactory.empty()
                .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(options.host()))
                .withValue("regionkv.store-id", ConfigValueFactory.fromAnyRef(options.storeId()))
                .withValue("regionkv.data-dir", ConfigValueFactory.fromAnyRef(options.data().toString()))
                .withValue("regionkv.initial-stores", ConfigValueFactory.fromIterable(options.initialStores()))
                // The test-only partition switch; it passes the transport through unless a test turns it on.
                .withValue(RaftTransportDecorator.SETTING, ConfigValueFactory.fromAnyRef(PartitionFile.class.getName()));
        if (options.port() != 0) {
            c = c.withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(options.port()));
        }
        Config settings = base.withFallback(ConfigFactory.defaultReference()).resolve();
        c = c.withFallback(LocalCluster.outboundQueueConfig(settings));
        if (settings.getBoolean("regionkv.server.one-pool")) c = c.withFallback(LocalCluster.singleNodeConfig());
        // A store node may host the scheduler singleton.
        Config resolved = c.withFallback(base).resolve();
        return io.regionkv.scheduler.Scheduler.withHostRole(membership(resolved.getConfig("regionkv.server"),
                mayFormCluster(options)).withFallback(resolved).resolve());
    }

    /**
     * Whether this node comes first in its seed list, as Pekko sees it (no seeds given, or itself first):
     * only such a node may form a new cluster, after none of the others answered for the seed-node timeout.
     */
    static boolean mayFormCluster(ServerOptions options) {
        return options.seeds().isEmpty()
                || options.seeds().get(0).equals(new HostPort(options.host(), options.port()));
    }

    /**
     * The Pekko membership settings of a server, from {@code regionkv.server}: downing by the Split Brain
     * Resolver (a crashed node must leave the membership, or nothing can join meanwhile), a short join
     * retry, which together let a restarted node replace its old incarnation within about a second, and
     * a seed-node timeout that depends on the node's place in its seed list: a node that may form a
     * cluster ({@code mayForm}) waits the full {@code seed-node-timeout} for an answer before it does,
     * since forming a second cluster next to a live one would strand it; every other node only asks its
     * seeds again each {@code join-retry-interval} (Pekko uses the one timeout for both), so that a whole
     * cluster restarted at once joins its first node about a second after that one formed the cluster.
     * The leader's membership tick and the gossip of the membership and of the store registry are
     * shortened too: each restart waits for several of them (see reference.conf, regionkv.server). The
     * timer wheel's step is lengthened, since its thread wakes at every step even when nothing is due.
     */
    static Config membership(Config server, boolean mayForm) {
        Duration seedNodeTimeout = server.getDuration(mayForm ? "seed-node-timeout" : "join-retry-interval");
        return ConfigFactory.empty()
                .withValue("pekko.cluster.downing-provider-class",
                        ConfigValueFactory.fromAnyRef("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
                .withValue("pekko.cluster.split-brain-resolver.active-strategy",
                        ConfigValueFactory.fromAnyRef(server.getString("downing-strategy")))
                .withValue("pekko.cluster.split-brain-resolver.stable-after",
                        ConfigValueFactory.fromAnyRef(server.getDuration("downing-stable-after").toMillis() + "ms"))
                .withValue("pekko.cluster.retry-unsuccessful-join-after",
                        ConfigValueFactory.fromAnyRef(server.getDuration("retry-join-after").toMillis() + "ms"))
                .withValue("pekko.cluster.seed-node-timeout",
                        ConfigValueFactory.fromAnyRef(seedNodeTimeout.toMillis() + "ms"))
                .withValue("pekko.cluster.leader-actions-interval", millis(server, "membership-tick"))
                .withValue("pekko.cluster.gossip-interval", millis(server, "membership-tick"))
                .withValue("pekko.cluster.typed.receptionist.distributed-data.gossip-interval",
                        millis(server, "directory-gossip-interval"))
                .withValue("pekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval",
                        millis(server, "directory-notify-interval"))
                .withValue("pekko.scheduler.tick-duration", millis(server, "scheduler-tick"));
    }

    private static com.typesafe.config.ConfigValue millis(Config server, String path) {
        return ConfigValueFactory.fromAnyRef(server.getDuration(path).toMillis() + "ms");
    }

    private static void awaitUp(ActorSystem<?> system, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
            if (system.whenTerminated().isCompleted()) throw new IllegalStateException("stopped before joining");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not an Up cluster member after " + timeout.toSeconds()
                        + " s; are the seed nodes running?");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining", e);
            }
        }
    }

    private static void awaitTermination(ActorSystem<?> system) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort on the way out
        }
    }
}
