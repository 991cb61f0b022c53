package io.regionkv.scheduler;

import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvClient;
import io.regionkv.client.SystemKv;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Where the scheduler lives: a Pekko Cluster Singleton on the oldest node with the role
 * {@code regionkv.scheduler.role}. Every node that talks to it calls {@link #proxy}; nodes with the role
 * also take part in hosting it, and the cluster moves it when its node leaves or is downed.
 */
public final class Scheduler {

    public static final String SINGLETON_NAME = "regionkv-scheduler";

    private Scheduler() {}

    /**
     * The proxy that forwards to the singleton wherever it runs (idempotent: one per system). On a node
     * with the role this also starts the singleton manager that may host it.
     */
    public static ActorRef<SchedulerCommand> proxy(ActorSystem<?> system) {
        SchedulerSettings settings = SchedulerSettings.fromConfig(system.settings().config());
        ClusterSingletonSettings singleton = ClusterSingletonSettings.create(system);
        if (!settings.role().isEmpty()) singleton = singleton.withRole(settings.role());
        Behavior<SchedulerCommand> behavior = Behaviors.setup(ctx -> SchedulerActor.create(settings,
                new SystemKv(new RegionKvClient(system, internalClientSettings(system)))));
        // A bug must not leave the cluster without ids: restart with fresh state (it reloads the marks).
        Behavior<SchedulerCommand> supervised = Behaviors.supervise(behavior)
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        return ClusterSingleton.get(system).init(SingletonActor.of(supervised, SINGLETON_NAME).withSettings(singleton));
    }

    /**
     * {@code nodeConfig} with the role that lets a store node host the scheduler added to
     * {@code pekko.cluster.roles} (kept: roles it already has). For the configuration of a store node,
     * before its ActorSystem is created.
     */
    public static Config withHostRole(Config nodeConfig) {
        String role = nodeConfig.getString(SchedulerSettings.CONFIG_PATH + ".role");
        if (role.isEmpty()) return nodeConfig;
        List<String> roles = new ArrayList<>(nodeConfig.hasPath("pekko.cluster.roles")
                ? nodeConfig.getStringList("pekko.cluster.roles") : List.of());
        if (!roles.contains(role)) roles.add(role);
        return nodeConfig.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    }

    /** The scheduler's own client finds regions through the stores: it must not wait on itself. */
    private static ClientSettings internalClientSettings(ActorSystem<?> system) {
        ClientSettings cs = ClientSettings.create(system);
        if (cs.initialStores().isEmpty()) {
            List<Long> initial = system.settings().config().getLongList("regionkv.initial-stores");
            cs = cs.withInitialStores(initial);
        }
        return cs;
    }
}
