package io.regionkv.store;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One per store: the raft clock of the store's awake peers (TiKV's store-level tick, rather than one
 * timer per region). A peer registers when it wakes ({@link Awake}) and leaves when it hibernates
 * ({@link Asleep}) or stops; every {@code regionkv.raft.tick-interval} the ticker sends
 * {@link PeerCommand.Tick} to each registered peer, and to no other.
 *
 * <p>Why: with one Pekko timer per peer, each awake peer is an entry in the scheduler's wheel that the
 * timer thread re-arms every tick; a thousand awake peers kept that thread busy. Here a store has one
 * timer, and none at all while none of its peers is awake, so a store of sleeping regions costs no
 * clock work. A peer still gets exactly one tick per interval, so its election and heartbeat timeouts,
 * counted in ticks, are unchanged; only the phase is shared by the store's peers.
 *
 * <p>The same clock sends {@link PeerCommand.GcSnap} to the awake peers every {@link #GC_SNAP_INTERVAL}
 * (a peer cleans up its snapshot files itself as it falls asleep).
 *
 * <p>Messages from one peer arrive in the order sent, so its last {@code Awake}/{@code Asleep} is what
 * the set holds; a tick already on its way when a peer fell asleep is ignored by the peer.
 */
final class RaftTicker extends AbstractBehavior<RaftTicker.Command> {

    sealed interface Command {}

    /** The peer is awake: tick it from the next interval on. */
    record Awake(ActorRef<PeerCommand> peer) implements Command {}

    /** The peer hibernates: no more ticks until it is {@link Awake} again. */
    record Asleep(ActorRef<PeerCommand> peer) implements Command {}

    private record Stopped(ActorRef<PeerCommand> peer) implements Command {}

    private enum Tick implements Command { INSTANCE }

    /** How often awake peers look for snapshot files they no longer need. */
    static final Duration GC_SNAP_INTERVAL = Duration.ofSeconds(10);

    private final TimerScheduler<Command> timers;
    private final Duration interval;
    /** Ticks between two GcSnap rounds, and ticks since the last one. */
    private final int gcSnapEvery;
    private int sinceGcSnap;
    private final StoreMetrics metrics;
    /** Insertion order: the peers get their ticks in a stable order (not that raft needs it). */
    private final Set<ActorRef<PeerCommand>> awake = new LinkedHashSet<>();
    /** Every peer that ever registered and has not stopped: watched once, so a stopped peer leaves the set. */
    private final Set<ActorRef<PeerCommand>> watched = new HashSet<>();

    static Behavior<Command> create(Duration interval, StoreMetrics metrics) {
        return create(interval, GC_SNAP_INTERVAL, metrics);
    }

    static Behavior<Command> create(Duration interval, Duration gcSnapInterval, StoreMetrics metrics) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(
                timers -> new RaftTicker(ctx, timers, interval, gcSnapInterval, metrics)));
    }

    private RaftTicker(ActorContext<Command> ctx, TimerScheduler<Command> timers, Duration interval,
            Duration gcSnapInterval, StoreMetrics metrics) {
        super(ctx);
        this.timers = timers;
        this.interval = interval;
        this.metrics = metrics;
        this.gcSnapEvery = (int) Math.max(1, gcSnapInterval.toNanos() / Math.max(1, interval.toNanos()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Awake.class, this::onAwake)
                .onMessage(Asleep.class, a -> remove(a.peer()))
                .onMessage(Stopped.class, s -> {
                    watched.remove(s.peer());
                    return remove(s.peer());
                })
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onAwake(Awake a) {
        if (watched.add(a.peer())) getContext().watchWith(a.peer(), new Stopped(a.peer()));
        if (awake.add(a.peer())) {
            metrics.awakePeers(awake.size());
            if (!timers.isTimerActive(Tick.INSTANCE)) timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
        }
        return this;
    }

    private Behavior<Command> remove(ActorRef<PeerCommand> peer) {
        if (awake.remove(peer)) metrics.awakePeers(awake.size());
        return this;
    }

    private Behavior<Command> onTick() {
        if (awake.isEmpty()) {
            // Every peer sleeps: the store's clock stops too, until one wakes.
            timers.cancel(Tick.INSTANCE);
            return this;
        }
        for (ActorRef<PeerCommand> peer : awake) peer.tell(PeerCommand.Tick.INSTANCE);
        metrics.ticksDelivered(awake.size());
        if (++sinceGcSnap >= gcSnapEvery) {
            sinceGcSnap = 0;
            for (ActorRef<PeerCommand> peer : awake) peer.tell(PeerCommand.GcSnap.INSTANCE);
        }
        return this;
    }
}
