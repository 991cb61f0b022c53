package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Errorpb;
import io.regionkv.store.apply.WriteCommands;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Admission by expected wait, on a fake clock: the service rate comes from what left the queue in windows
 * where the queue was never short of work, and a command is refused at once when the queue ahead of it
 * would outlast what it can afford (half of what is left before its deadline, at most the max wait).
 */
class ExpectedWaitTest {

    private static final long MS = 1_000_000L;
    private static final long WINDOW = 100 * MS;
    private static final long MAX_WAIT = 1_000 * MS;

    /** A queue that served 100 commands in each 100 ms window while it held more than that: 1 per ms. */
    private static ExpectedWait servingOnePerMs(long[] now) {
        ExpectedWait w = new ExpectedWait(WINDOW, MAX_WAIT, 0);
        long left = 0;
        for (int i = 0; i < 5; i++) {
            w.observe(now[0], left, 5_000);
            now[0] += WINDOW;
            left += 100;
        }
        w.observe(now[0], left, 5_000);
        return w;
    }

    @Test
    void aCommandThatWouldWaitPastItsDeadlineIsRefusedOneThatWouldNotIsAdmitted() {
        long[] now = {1_000 * MS};
        ExpectedWait w = servingOnePerMs(now);
        assertEquals(400 * MS, w.waitNanos(399), MS);
        // 10 s left: it can afford min(1 s, 5 s) = 1 s of queue, i.e. about 1,000 commands ahead of it.
        long deadline = now[0] + 10_000 * MS;
        assertEquals(0, w.refuseFor(now[0], 900, deadline));
        long hint = w.refuseFor(now[0], 1_499, deadline);
        assertEquals(500 * MS, hint, MS, "the hint is how much longer the queue is than affordable");
        // 600 ms left: it can afford 300 ms, so 400 ahead is too many though 1 s would allow them.
        assertTrue(w.refuseFor(now[0], 400, now[0] + 600 * MS) > 0);
        assertEquals(0, w.refuseFor(now[0], 250, now[0] + 600 * MS));
        // Past its deadline already: anything ahead of it is too much.
        assertTrue(w.refuseFor(now[0], 1, now[0] - MS) > 0);
    }

    @Test
    void nothingIsRefusedUntilARateIsKnownNorBelowTheMinimumQueue() {
        ExpectedWait w = new ExpectedWait(WINDOW, MAX_WAIT, 0);
        w.observe(0, 0, 100_000);
        assertEquals(-1, w.waitNanos(100_000));
        assertEquals(0, w.refuseFor(50 * MS, 100_000, 60 * MS));

        long[] now = {0};
        ExpectedWait shallow = new ExpectedWait(WINDOW, MAX_WAIT, 256);
        long left = 0;
        for (int i = 0; i < 3; i++) {
            shallow.observe(now[0], left, 5_000);
            now[0] += WINDOW;
            left += 1;
        }
        shallow.observe(now[0], left, 5_000);
        assertTrue(shallow.waitNanos(255) > 10_000 * MS, "a very slow queue");
        assertEquals(0, shallow.refuseFor(now[0], 255, now[0] + 100 * MS));
        assertTrue(shallow.refuseFor(now[0], 256, now[0] + 10_000 * MS) > 0);
    }

    @Test
    void aWindowThatRanOutOfWorkOnlyRaisesTheRate() {
        ExpectedWait w = new ExpectedWait(WINDOW, MAX_WAIT, 0);
        w.observe(0, 0, 5_000);
        w.observe(100 * MS, 100, 10); // 100 of 5,000 left: 1 per ms
        assertEquals(1_000 * MS, w.waitNanos(999), MS);
        // 10 were queued and 10 left: the queue ran dry, so 0.1 per ms says nothing of its speed.
        w.observe(200 * MS, 110, 0);
        assertEquals(1_000 * MS, w.waitNanos(999), MS);
        // None queued, 400 left: arrivals kept it busy and it served 4 per ms, which it can then at least do.
        w.observe(300 * MS, 510, 50);
        assertEquals(250 * MS, w.waitNanos(999), MS);
    }

    @Test
    void aSlowerDiskLowersTheRateWithinAFewWindows() {
        long[] now = {0};
        ExpectedWait w = servingOnePerMs(now);
        long left = 500;
        for (int i = 0; i < 10; i++) {
            now[0] += WINDOW;
            left += 10; // 0.1 per ms while 5,000 wait
            w.observe(now[0], left, 5_000);
        }
        long wait = w.waitNanos(99);
        assertTrue(wait > 700 * MS && wait < 1_000 * MS, "100 ahead, at 1 per ms once, 0.1 per ms now: " + wait / MS);
        assertTrue(w.refuseFor(now[0], 200, now[0] + 10_000 * MS) > 0);
    }

    @Test
    void thePeersDoorRefusesByExpectedWaitWithATypedBusyAndAHint() {
        FlowControlSettings flow = new FlowControlSettings(4096, 4096, 32, Duration.ofMillis(20),
                Duration.ofMillis(1000), Duration.ofMillis(100), 256, true);
        PeerAdmission door = new PeerAdmission(flow, 7);
        long now = 0;
        // 3,000 writes queued; 100 leave every 100 ms (each leaving makes room for one more, admitted).
        int pending = 0;
        for (int i = 0; i < 3_000; i++) {
            assertNull(door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending++, 0));
        }
        for (int i = 0; i < 3; i++) {
            now += WINDOW;
            pending -= 100;
            door.observe(now, pending, 0);
        }
        // 2,700 ahead at 1 per ms is 2.7 s: past the 1 s max wait, though within the count bound.
        Errorpb.Error busy = door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending, 0);
        assertNotNull(busy);
        assertTrue(busy.hasServerIsBusy());
        assertEquals(1000, busy.getServerIsBusy().getBackoffMs(), "hint capped at the max wait");
        // Reads have their own queue: an empty one admits.
        assertNull(door.admit(WriteCommands.Kind.READ, now, now + 10_000 * MS, pending, 0));
        // With 900 ahead the write fits in 1 s.
        assertNull(door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, 900, 0));
    }

    @Test
    void aFullQueueHintsHowLongItTakesToDrainOnceItsRateIsKnown() {
        FlowControlSettings flow = new FlowControlSettings(400, 4096, 32, Duration.ofMillis(20),
                Duration.ofMillis(1000), Duration.ofMillis(100), 256, true);
        PeerAdmission door = new PeerAdmission(flow, 7);
        long now = 0;
        int pending = 0;
        for (int i = 0; i < 400; i++) {
            assertNull(door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending++, 0));
        }
        // At the count bound before any rate is known: the configured backoff.
        Errorpb.Error first = door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending, 0);
        assertEquals(20, first.getServerIsBusy().getBackoffMs());
        for (int i = 0; i < 3; i++) { // 100 leave and 100 more come every 100 ms: 1 per ms, always full
            now += WINDOW;
            door.observe(now, pending - 100, 0);
            for (int j = 0; j < 100; j++) {
                assertNull(door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending - 100 + j, 0));
            }
        }
        // 400 ahead at 1 per ms: come back in about 400 ms, not in 20.
        Errorpb.Error full = door.admit(WriteCommands.Kind.WRITE, now, now + 10_000 * MS, pending, 0);
        assertEquals(401, full.getServerIsBusy().getBackoffMs(), 2);
    }
}
