package io.regionkv.example.inventory;

import io.regionkv.RegionKV;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The inventory service of one node: the guardian starts this node's RegionKV store (from the
 * {@code regionkv} configuration) and its part of the stock keeper; {@link #keeper} is where any code on
 * the node sends its commands.
 *
 * <p>With {@code inventory.single-writer = on} the keeper is a Cluster Singleton on the nodes with role
 * {@code inventory.role}: one keeper in the cluster, so its read-modify-writes never interleave. With
 * {@code off} each node runs its own keeper, and updates made at the same time on two nodes overwrite each
 * other: the bug the example's test is there to catch.
 */
public final class InventoryApp implements Extension {

    private static final ExtensionId<InventoryApp> ID = new ExtensionId<>() {
        @Override
        public InventoryApp createExtension(ActorSystem<?> system) {
            return new InventoryApp(system);
        }
    };

    private final ActorRef<StockKeeper.Command> keeper;

    private InventoryApp(ActorSystem<?> system) {
        var config = system.settings().config().getConfig("inventory");
        if (config.getBoolean("single-writer")) {
            keeper = ClusterSingleton.get(system).init(SingletonActor.of(StockKeeper.create(), "stock-keeper")
                    .withSettings(ClusterSingletonSettings.create(system).withRole(config.getString("role"))));
        } else {
            keeper = system.systemActorOf(StockKeeper.create(), "stock-keeper-of-this-node", Props.empty());
        }
    }

    /** The node's guardian: RegionKV and the keeper start with the node. */
    public static Behavior<Void> create() {
        return Behaviors.setup(context -> {
            RegionKV.get(context.getSystem());
            keeper(context.getSystem());
            return Behaviors.empty();
        });
    }

    /** Where this node sends stock commands. */
    public static ActorRef<StockKeeper.Command> keeper(ActorSystem<?> system) {
        return ID.apply(system).keeper;
    }
}
