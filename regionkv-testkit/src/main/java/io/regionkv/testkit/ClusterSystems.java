package io.regionkv.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.regionkv.LoopbackNode;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Starts several Pekko cluster nodes in one JVM on loopback with real Artery, the way the multi-node
 * tests of RegionKV run (the multi-node testkit is not available here).
 */
public final class ClusterSystems {

    /** One system name for all nodes: Pekko only joins systems of the same name. */
    public static final String SYSTEM_NAME = "regionkv";

    private ClusterSystems() {}

    /** Test configuration: random ports, no downing, patient failure detector, fast Receptionist. */
    public static Config nodeConfig() {
        return ConfigFactory.parseString("""
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.loglevel = WARNING
                pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                """).withFallback(LoopbackNode.config()).withFallback(ConfigFactory.load());
    }

    /** Starts a node with an empty guardian and joins it to {@code seed} (or to itself when null). */
    public static ActorSystem<Void> startNode(ActorSystem<?> seed) {
        return startNode(Behaviors.empty(), seed);
    }

    public static <T> ActorSystem<T> startNode(Behavior<T> guardian, ActorSystem<?> seed) {
        ActorSystem<T> system = ActorSystem.create(guardian, SYSTEM_NAME, nodeConfig());
        Cluster cluster = Cluster.get(system);
        ActorSystem<?> target = seed == null ? system : seed;
        cluster.manager().tell(Join.create(Cluster.get(target).selfMember().address()));
        return system;
    }

    /** Waits until every system sees {@code systems.size()} members Up. */
    public static void awaitUp(List<? extends ActorSystem<?>> systems, Duration timeout) {
        awaitCondition("all " + systems.size() + " nodes Up", timeout, () -> systems.stream().allMatch(s -> {
            var members = Cluster.get(s).state().getMembers();
            int up = 0;
            for (var m : members) {
                if (m.status() == MemberStatus.up()) up++;
            }
            return up == systems.size();
        }));
    }

    /** Polls {@code condition} every 20 ms until it holds, else fails with {@code what}. */
    public static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /**
     * Stops one node the way a crash looks to the others, then marks it Down from {@code survivor}: with
     * downing off, an unreachable member would otherwise stay forever and keep new members from coming Up.
     */
    public static void downAndTerminate(ActorSystem<?> node, ActorSystem<?> survivor) {
        var address = Cluster.get(node).selfMember().address();
        terminate(List.of(node));
        Cluster.get(survivor).manager().tell(new org.apache.pekko.cluster.typed.Down(address));
        awaitCondition("node " + address + " removed", Duration.ofSeconds(30), () -> {
            for (var m : Cluster.get(survivor).state().getMembers()) {
                if (m.address().equals(address)) return false;
            }
            return true;
        });
    }

    /** Terminates systems and waits for them to stop. */
    public static void terminate(List<? extends ActorSystem<?>> systems) {
        for (ActorSystem<?> s : systems) s.terminate();
        for (ActorSystem<?> s : systems) {
            try {
                s.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("actor system did not terminate", e);
            }
        }
    }
}
