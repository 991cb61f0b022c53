package io.regionkv.store;

import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Tells the store when a cluster member may be gone (unreachable, leaving or removed), so that it wakes
 * its hibernated peers: a sleeping follower hears nothing from its leader by design, and only such an
 * event tells it that the leader's node may have died (see {@link Hibernation}).
 */
final class MemberWatch {

    private MemberWatch() {}

    /** Subscribes {@code store} to the events; a system without a cluster has no members to lose. */
    static void subscribe(ActorContext<StoreCommand> store) {
        if (!"cluster".equals(store.getSystem().settings().config().getString("pekko.actor.provider"))) return;
        var reachability = store.messageAdapter(ClusterEvent.ReachabilityEvent.class,
                e -> new StoreCommand.MemberMaybeGone(e instanceof ClusterEvent.UnreachableMember));
        var members = store.messageAdapter(ClusterEvent.MemberEvent.class,
                e -> new StoreCommand.MemberMaybeGone(e instanceof ClusterEvent.MemberRemoved
                        || e instanceof ClusterEvent.MemberExited || e instanceof ClusterEvent.MemberDowned
                        || e instanceof ClusterEvent.MemberLeft));
        Cluster cluster = Cluster.get(store.getSystem());
        cluster.subscriptions().tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
    }
}
