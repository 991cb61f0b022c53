package io.regionkv.server;

import io.regionkv.RegionKV;
import io.regionkv.LoopbackNode;
import io.regionkv.RegionKvNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.regionkv.store.PeerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * N RegionKV nodes in one process, each its own ActorSystem on loopback with its own data directory
 * ({@code DIR/node-i}): what {@code regionkv local} runs. Store ids are 1..N and all N hold the first region.
 */
public final class LocalCluster implements AutoCloseable {

    private final List<ActorSystem<Void>> systems = new ArrayList<>();
    private final List<RegionKvNode> nodes = new ArrayList<>();

    private LocalCluster() {}

    /** See {@link LoopbackNode#config()}: shared with the testkit's in-process clusters. */
    public static Config loopbackNodeConfig() {
        return LoopbackNode.config();
    }

    /**
     * Thread pools for {@code systems} ActorSystems that share this JVM's cores (the in-process cluster of
     * {@code regionkv local} and {@code regionkv bench}). Pekko sizes each system for a machine of its own:
     * a default dispatcher of at least 8 threads, plus separate internal and remote pools. Four systems on
     * two cores then run dozens of mostly parked threads, and every message handed from one pool to another
     * wakes one of them; a profile of the bench put a quarter of all CPU into those wake-ups. So here each
     * node runs everything on its default dispatcher, sized to its share of the cores. Measured with
     * {@code regionkv bench} (BENCHMARKS.md): puts 25,800 to 38,500/s, gets 76,000 to 156,000/s.
     * One inbound Artery lane, as for a server ({@link #singleNodeConfig}): a message from another node
     * then reaches its actor after one hand-off between threads instead of two. Paired runs of the bench
     * (BENCHMARKS.md, "One inbound lane in process"): CPU per put at 1 in flight 1,283-1,520 µs against
     * 1,559-1,608 with four lanes, puts at 256 in flight 58,470-58,853/s against 49,655-54,326.
     */
    public static Config sharedCoresConfig(int systems) {
        if (systems < 1) throw new IllegalArgumentException("systems must be at least 1, was " + systems);
        return ConfigFactory.parseString(String.format(java.util.Locale.ROOT, """
                pekko.remote.artery.advanced.inbound-lanes = 1
                pekko.actor.internal-dispatcher = pekko.actor.default-dispatcher
                pekko.remote.artery.advanced.use-dispatcher = pekko.actor.default-dispatcher
                pekko.actor.default-dispatcher.fork-join-executor {
                  parallelism-min = 2
                  parallelism-factor = %.4f
                }
                """, 1.0 / systems));
    }

    /**
     * Thread pools of a JVM that runs one node ({@code regionkv server}, or the client node of
     * {@code regionkv bench --connect}) on a machine it shares with at most a few others: the same single
     * pool as {@link #sharedCoresConfig}, sized to the cores, and one inbound Artery lane instead of four, so
     * that a message from another node reaches its actor after one hand-off between threads, not two (Pekko:
     * "lowest latency can be achieved with inbound-lanes=1"). Pekko's own sizing (a default pool of at least
     * 8 threads, an internal pool, a remote pool and four inbound lanes) woke a parked thread for almost every
     * hop (BENCHMARKS.md, "Deployed shape (issue 12)"). {@code regionkv.server.one-pool = off} keeps them.
     */
    public static Config singleNodeConfig() {
        return sharedCoresConfig(1);
    }

    /**
     * Artery's per-peer outbound queue from {@code regionkv.server.outbound-message-queue-size}: Pekko's
     * 3,072 dropped messages under 20,000 requests in flight, and a dropped request or answer leaves its
     * client waiting out its deadline (see reference.conf).
     */
    static Config outboundQueueConfig(Config settings) {
        return ConfigFactory.empty().withValue("pekko.remote.artery.advanced.outbound-message-queue-size",
                ConfigValueFactory.fromAnyRef(settings.getInt("regionkv.server.outbound-message-queue-size")));
    }

    /** Per-node settings on top of the loaded configuration: loopback, random port, this node's store. */
    public static Config nodeConfig(Config base, long storeId, Path dataDir, List<Long> initialStores) {
        return io.regionkv.scheduler.Scheduler.withHostRole(outboundQueueConfig(
                        base.withFallback(ConfigFactory.defaultReference()).resolve())
                .withFallback(loopbackNodeConfig())
                .withValue("regionkv.store-id", ConfigValueFactory.fromAnyRef(storeId))
                .withValue("regionkv.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
                .withValue("regionkv.initial-stores", ConfigValueFactory.fromIterable(initialStores))
                .withFallback(base));
    }

    /** Starts {@code n} nodes under {@code dataDir}, joins them and waits until the cluster is up. */
    public static LocalCluster start(int n, Path dataDir, Config base, Duration timeout) {
        if (n < 1) throw new IllegalArgumentException("--nodes must be at least 1, was " + n);
        List<Long> stores = LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
        LocalCluster c = new LocalCluster();
        try {
            for (long id = 1; id <= n; id++) {
                ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), "regionkv",
                        nodeConfig(base, id, dataDir.resolve("node-" + id), stores));
                c.systems.add(s);
                Cluster.get(s).manager().tell(Join.create(Cluster.get(c.systems.get(0)).selfMember().address()));
                RegionKV.get(s).node().ifPresent(c.nodes::add); // starts the store
            }
            c.awaitUp(timeout);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void awaitUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean up = systems.stream().allMatch(s -> {
                int count = 0;
                for (var m : Cluster.get(s).state().getMembers()) {
                    if (m.status() == MemberStatus.up()) count++;
                }
                return count == systems.size();
            });
            if (up) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cluster of " + systems.size() + " nodes not up after " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting", e);
            }
        }
    }

    public List<ActorSystem<Void>> systems() {
        return systems;
    }

    /** The API of the first node; any node would do. */
    public RegionKV api() {
        return RegionKV.get(systems.get(0));
    }

    /**
     * One line per region replica: store, region range, role, leader, term, commit and applied index, and
     * its sleep state; then per store the count of peers in each sleep state.
     */
    public String status() {
        StringBuilder sb = new StringBuilder();
        sb.append("stores: ").append(systems.size()).append('\n');
        for (ActorSystem<Void> s : systems) {
            RegionKvNode node = RegionKV.get(s).node().orElseThrow();
            List<PeerStatus> peers;
            try {
                peers = node.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                sb.append("store ").append(node.storeId()).append(": no answer (").append(e.getMessage()).append(")\n");
                continue;
            }
            java.util.Map<io.regionkv.store.SleepState, Integer> sleep = new java.util.EnumMap<>(io.regionkv.store.SleepState.class);
            for (PeerStatus p : peers) {
                sb.append(String.format("store %d region %d [%s, %s) peer %d %s leader=%s term=%d commit=%d applied=%d %s%n",
                        p.storeId(), p.region().getId(), p.region().getStartKey().toStringUtf8(),
                        p.region().getEndKey().toStringUtf8(), p.self().getId(), p.role(),
                        p.leader() == null ? "?" : Long.toString(p.leader().getId()), p.term(), p.commitIndex(),
                        p.appliedIndex(), p.sleep().name().toLowerCase(java.util.Locale.ROOT)));
                sleep.merge(p.sleep(), 1, Integer::sum);
            }
            // One summary line per store: how many peers sleep, and what keeps the others awake.
            sb.append("store ").append(node.storeId()).append(" peers by sleep state:");
            sleep.forEach((state, n) -> sb.append(' ').append(state.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(n));
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public void close() {
        for (ActorSystem<Void> s : systems) s.terminate();
        for (ActorSystem<Void> s : systems) {
            try {
                s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort on the way out
            }
        }
        // The engines close (and sync deferred kv commits) after termination: wait, or the JVM may exit
        // first and leave every store marked as having unsynced data.
        for (RegionKvNode n : nodes) n.awaitClosed(Duration.ofSeconds(30));
    }
}
