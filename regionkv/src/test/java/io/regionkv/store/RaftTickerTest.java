package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's raft clock: one tick per interval to each awake peer, none to a sleeping or stopped one.
 * Counts messages, not time: the interval only bounds how long the probes wait.
 */
class RaftTickerTest {

    private static final Duration TICK = Duration.ofMillis(20);
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** A stand-in peer: forwards what it gets to a probe, and can be stopped like a peer. */
    private static Behavior<PeerCommand> forwardingTo(ActorRef<PeerCommand> probe) {
        return Behaviors.receiveMessage(m -> {
            probe.tell(m);
            return Behaviors.same();
        });
    }

    private static void expectTicks(TestProbe<PeerCommand> probe, int n) {
        for (int i = 0; i < n; i++) assertEquals(PeerCommand.Tick.INSTANCE, probe.receiveMessage(Duration.ofSeconds(5)));
    }

    private static void drain(TestProbe<PeerCommand> probe) {
        for (int stale = 0; stale < 5; stale++) {
            try {
                probe.expectNoMessage(TICK.multipliedBy(3));
                return;
            } catch (AssertionError queuedBeforeSleep) {
                // one more stale tick taken off the queue
            }
        }
        throw new AssertionError("a sleeping peer is still being ticked");
    }

    @Test
    void onlyAwakePeersAreTicked() {
        StoreMetrics metrics = new StoreMetrics();
        ActorRef<RaftTicker.Command> ticker = kit.spawn(RaftTicker.create(TICK, metrics));
        TestProbe<PeerCommand> a = kit.createTestProbe();
        TestProbe<PeerCommand> b = kit.createTestProbe();
        ticker.tell(new RaftTicker.Awake(a.ref()));
        ticker.tell(new RaftTicker.Awake(b.ref()));
        expectTicks(a, 3);
        expectTicks(b, 3);
        assertEquals(2, metrics.awakePeers());

        ticker.tell(new RaftTicker.Asleep(a.ref()));
        kit.createTestProbe().awaitAssert(() -> {
            assertEquals(1, metrics.awakePeers());
            return null;
        });
        // Ticks sent to a before the ticker took its Asleep are in a's queue already: drop them. From
        // now on a gets nothing while b ticks on.
        drain(a);
        expectTicks(b, 5);
        a.expectNoMessage(TICK.multipliedBy(5));

        ticker.tell(new RaftTicker.Awake(a.ref())); // woken again: back on the clock
        expectTicks(a, 2);
        kit.stop(ticker);
    }

    @Test
    void aStoppedPeerLeavesTheClockAndAnEmptyClockTicksNobody() {
        StoreMetrics metrics = new StoreMetrics();
        ActorRef<RaftTicker.Command> ticker = kit.spawn(RaftTicker.create(TICK, metrics));
        TestProbe<PeerCommand> probe = kit.createTestProbe();
        ActorRef<PeerCommand> peer = kit.spawn(forwardingTo(probe.ref()));
        ticker.tell(new RaftTicker.Awake(peer));
        expectTicks(probe, 2);
        kit.stop(peer);
        kit.createTestProbe().awaitAssert(() -> {
            assertEquals(0, metrics.awakePeers());
            return null;
        });
        drain(probe); // ticks the peer forwarded before it stopped
        long delivered = metrics.ticksDelivered();
        probe.expectNoMessage(Duration.ofMillis(200));
        assertEquals(delivered, metrics.ticksDelivered(), "no ticks once no peer is awake");
        kit.stop(ticker);
    }

    /** Snapshot GC rides the same clock: every few ticks an awake peer is told GcSnap, a sleeping one never. */
    @Test
    void awakePeersAreToldToCollectSnapshotsOnTheStoreClock() {
        ActorRef<RaftTicker.Command> ticker = kit.spawn(RaftTicker.create(TICK, TICK.multipliedBy(3), new StoreMetrics()));
        TestProbe<PeerCommand> awake = kit.createTestProbe();
        TestProbe<PeerCommand> asleep = kit.createTestProbe();
        ticker.tell(new RaftTicker.Awake(awake.ref()));
        ticker.tell(new RaftTicker.Awake(asleep.ref()));
        ticker.tell(new RaftTicker.Asleep(asleep.ref()));
        int gcSnaps = 0;
        for (int i = 0; i < 12; i++) {
            if (awake.receiveMessage(Duration.ofSeconds(5)) == PeerCommand.GcSnap.INSTANCE) gcSnaps++;
        }
        assertEquals(3, gcSnaps, "one GcSnap after every three ticks (9 ticks, 3 GcSnap in 12 messages)");
        drain(asleep);
        kit.stop(ticker);
    }
}
