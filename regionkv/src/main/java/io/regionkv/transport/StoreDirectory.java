package io.regionkv.transport;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Store id → the store's inbox anywhere in the cluster, kept up to date through the Receptionist.
 *
 * <p>Lookups are lock-free reads of a concurrent map so that peer actors can send without asking an
 * actor first. The first lookup of an unknown store starts a subscription; until the Receptionist
 * answers, messages to that store are dropped (raft retries them).
 *
 * <p>Instances come from {@code getAllServiceInstances}, which includes unreachable nodes on purpose:
 * raft must keep talking to a peer that Pekko's failure detector has given up on (a GC pause is enough
 * on a small machine), and raft itself decides what a silent peer means.
 */
public final class StoreDirectory implements Extension {

    private static final ExtensionId<StoreDirectory> ID = new ExtensionId<>() {
        @Override
        public StoreDirectory createExtension(ActorSystem<?> system) {
            return new StoreDirectory(system);
        }
    };

    /** The one directory of this node: one Receptionist subscription per store, shared by all users. */
    public static StoreDirectory get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    private static final String KEY_PREFIX = "regionkv-store-";

    private final ConcurrentHashMap<Long, ActorRef<StoreWire>> stores = new ConcurrentHashMap<>();
    private final Set<Long> subscribed = ConcurrentHashMap.newKeySet();
    private final ActorSystem<?> system;
    private final ActorRef<Subscriber.Command> subscriber;

    private StoreDirectory(ActorSystem<?> system) {
        this.system = system;
        this.subscriber = system.systemActorOf(Subscriber.create(stores), "regionkv-store-directory",
                Props.empty());
    }

    /** The Receptionist key under which store {@code storeId} registers its inbox. */
    public static ServiceKey<StoreWire> serviceKey(long storeId) {
        return ServiceKey.create(StoreWire.class, KEY_PREFIX + storeId);
    }

    static long storeIdOf(String serviceKeyId) {
        return Long.parseLong(serviceKeyId.substring(KEY_PREFIX.length()));
    }

    /** Announces a local store's inbox to the whole cluster. */
    public void register(long storeId, ActorRef<StoreWire> inbox) {
        stores.put(storeId, inbox);
        system.receptionist().tell(Receptionist.register(serviceKey(storeId), inbox));
    }

    /** The inbox of {@code storeId} if known; otherwise starts looking for it and answers empty. */
    public Optional<ActorRef<StoreWire>> lookup(long storeId) {
        ActorRef<StoreWire> ref = stores.get(storeId);
        if (subscribed.add(storeId)) {
            subscriber.tell(new Subscriber.Watch(storeId));
        }
        return Optional.ofNullable(ref);
    }

    /** The node's default dispatcher: where transports run their flushes. */
    Executor executor() {
        return system.executionContext();
    }

    /** Every store known so far (ids). */
    public Set<Long> knownStores() {
        return Set.copyOf(stores.keySet());
    }

    /** The actor that holds the Receptionist subscriptions and writes what they say into the map. */
    static final class Subscriber {
        sealed interface Command permits Watch, Listed {}

        record Watch(long storeId) implements Command {}

        record Listed(Receptionist.Listing listing) implements Command {}

        static Behavior<Command> create(ConcurrentHashMap<Long, ActorRef<StoreWire>> stores) {
            return Behaviors.setup(ctx -> {
                ConcurrentHashMap<Long, Set<ActorRef<StoreWire>>> previous = new ConcurrentHashMap<>();
                // One adapter for all subscriptions: an actor keeps only one adapter per message class, and
                // each listing names its key, which names the store.
                ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class, Listed::new);
                return Behaviors.receive(Command.class)
                        .onMessage(Watch.class, w -> {
                            ctx.getSystem().receptionist().tell(Receptionist.subscribe(serviceKey(w.storeId()), adapter));
                            return Behaviors.same();
                        })
                        .onMessage(Listed.class, l -> {
                            long storeId = storeIdOf(l.listing().getKey().id());
                            Set<ActorRef<StoreWire>> now = l.listing().getAllServiceInstances(serviceKey(storeId));
                            Set<ActorRef<StoreWire>> before = previous.getOrDefault(storeId, Set.of());
                            ActorRef<StoreWire> chosen = choose(now, before, stores.get(storeId));
                            if (chosen == null) {
                                stores.remove(storeId);
                            } else {
                                stores.put(storeId, chosen);
                            }
                            previous.put(storeId, new HashSet<>(now));
                            return Behaviors.same();
                        })
                        .build();
            });
        }

        /**
         * A restarted store registers a new inbox while the old one may linger (downing is off), so the
         * newest registration wins; otherwise keep the current one while it is still listed.
         */
        static <T> T choose(Set<T> now, Set<T> before, T current) {
            for (T ref : now) {
                if (!before.contains(ref)) {
                    return ref;
                }
            }
            if (current != null && now.contains(current)) {
                return current;
            }
            return now.isEmpty() ? null : now.iterator().next();
        }
    }
}
