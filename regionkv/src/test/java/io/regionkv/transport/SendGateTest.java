package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The send gate holds a batcher's flush while a round is open and releases what waited in one batch when
 * the last round closes; it never holds longer than its bound, and a round that lost a party is closed by
 * force.
 */
class SendGateTest {

    /** A batcher whose flushes run only when the test runs the executor's queued hops. */
    private static final class Held {
        final List<Runnable> hops = new ArrayList<>();
        final List<List<Integer>> batches = new ArrayList<>();
        final AtomicLong clock = new AtomicLong(1_000_000_000L);
        final AtomicReference<BurstBatcher<Integer>> batcher = new AtomicReference<>();
        final AtomicInteger opened = new AtomicInteger();
        final SendGate gate = new SendGate(() -> {
            opened.incrementAndGet();
            batcher.get().release();
        }, clock::get, true);

        Held() {
            batcher.set(new BurstBatcher<>(hops::add, 1 << 20, 1_000, i -> 1, b -> batches.add(List.copyOf(b)),
                    gate::holds));
        }

        void add(int... items) {
            for (int i : items) batcher.get().add(i);
        }

        void runHops() {
            while (!hops.isEmpty()) hops.remove(0).run();
        }
    }

    @Test
    void whatARoundHoldsLeavesInOneBatchWhenItsLastPartyLeaves() {
        Held h = new Held();
        SendGate.Round round = h.gate.open(3);
        h.add(1, 2);
        round.leave();
        h.add(3);
        round.leave();
        assertTrue(h.hops.isEmpty(), "no flush while the round is open");
        round.leave();
        assertEquals(1, h.opened.get());
        h.runHops();
        assertEquals(List.of(List.of(1, 2, 3)), h.batches);
        h.add(4); // the gate is open again: a message leaves at once
        h.runHops();
        assertEquals(List.of(4), h.batches.get(1));
    }

    @Test
    void overlappingRoundsHoldUntilTheLastOneCloses() {
        Held h = new Held();
        SendGate.Round first = h.gate.open(1);
        h.add(1);
        SendGate.Round second = h.gate.open(1);
        first.leave();
        h.add(2);
        assertTrue(h.hops.isEmpty(), "the second round still holds");
        second.leave();
        h.runHops();
        assertEquals(List.of(List.of(1, 2)), h.batches);
        second.leave(); // leaving a closed round changes nothing
        assertEquals(1, h.opened.get());
        assertEquals(0, h.gate.openRounds());
    }

    @Test
    void aGateHeldLongerThanItsBoundLetsMessagesThrough() {
        Held h = new Held();
        h.gate.open(1);
        h.add(1);
        assertTrue(h.hops.isEmpty());
        h.clock.addAndGet(SendGate.MAX_HOLD_NANOS);
        h.add(2);
        h.runHops();
        assertEquals(List.of(List.of(1, 2)), h.batches, "held too long: the next message takes the rest along");
        assertEquals(1, h.gate.openRounds(), "the round itself is not yet taken for lost");
    }

    @Test
    void aRoundThatLostAPartyIsClosedByForce() {
        Held h = new Held();
        SendGate.Round lost = h.gate.open(2);
        lost.leave();
        h.clock.addAndGet(SendGate.LEAKED_NANOS);
        h.add(1);
        h.runHops();
        assertEquals(List.of(List.of(1)), h.batches);
        assertEquals(0, h.gate.openRounds(), "closed by force");
        assertEquals(1, h.opened.get());
        lost.leave(); // its missing party turns up late: nothing happens
        assertEquals(1, h.opened.get());
        SendGate.Round next = h.gate.open(1);
        h.add(2);
        assertTrue(h.hops.isEmpty(), "the gate holds again for a new round");
        next.leave();
        h.runHops();
        assertEquals(List.of(2), h.batches.get(1));
    }

    @Test
    void theNoneGateAndTheNoneRoundNeverHold() {
        SendGate.Round round = SendGate.NONE.open(5);
        assertFalse(SendGate.NONE.holds());
        round.leave();
        SendGate.Round.NONE.leave();
        assertEquals(0, SendGate.NONE.openRounds());
    }

    /**
     * Senders on four threads while a fifth opens and leaves rounds at random, flushes on a real pool:
     * every item leaves exactly once, each sender's in order, and nothing waits once all rounds closed.
     */
    @Test
    void underConcurrencyNothingIsLostReorderedOrLeftBehind() throws Exception {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("SendGateTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<List<long[]>> batches = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger emitted = new AtomicInteger();
        AtomicReference<BurstBatcher<long[]>> batcher = new AtomicReference<>();
        SendGate gate = new SendGate(() -> batcher.get().release());
        batcher.set(new BurstBatcher<>(pool, 1 << 20, 64, i -> 1, b -> {
            batches.add(List.copyOf(b));
            emitted.addAndGet(b.size());
        }, gate::holds));
        int senders = 4;
        int perSender = 30_000;
        Thread rounds = new Thread(() -> {
            Random random = new Random(seed);
            List<SendGate.Round> open = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                if (open.isEmpty() || random.nextBoolean()) {
                    open.add(gate.open(1 + random.nextInt(3)));
                } else {
                    open.get(random.nextInt(open.size())).leave();
                }
            }
            // Leave every open round as many times as it could still need.
            for (SendGate.Round r : open) for (int k = 0; k < 3; k++) r.leave();
        });
        rounds.start();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perSender; i++) batcher.get().add(new long[] {sender, i});
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        rounds.join();
        assertEquals(0, gate.openRounds());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (emitted.get() < senders * perSender && System.nanoTime() < deadline) Thread.sleep(10);
        pool.shutdown();
        assertEquals(senders * perSender, emitted.get(), "every item emitted once, none left behind");
        long[] next = new long[senders];
        synchronized (batches) {
            for (List<long[]> b : batches) {
                for (long[] item : b) {
                    assertEquals(next[(int) item[0]], item[1], "sender " + item[0] + " reordered");
                    next[(int) item[0]]++;
                }
            }
        }
    }
}
