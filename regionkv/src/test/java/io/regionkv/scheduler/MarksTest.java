package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The id allocator and the timestamp oracle never hand out anything at or above their durable mark. */
class MarksTest {

    @Test
    void idsStopAtTheDurableMarkAndASuccessorStartsAboveIt() {
        IdAllocator ids = new IdAllocator(1000, 0, 100);
        assertEquals(-1, ids.tryAllocate(1), "nothing before a mark of its own is saved");
        long mark = ids.markFor(0);
        assertEquals(1100, mark);
        ids.markSaved(mark);
        long last = 0;
        for (int i = 0; i < 100; i++) {
            long id = ids.tryAllocate(1);
            assertTrue(id >= 1000 && id < mark && id > last);
            last = id;
        }
        assertEquals(-1, ids.tryAllocate(1));
        IdAllocator successor = new IdAllocator(1000, mark, 100);
        successor.markSaved(successor.markFor(5));
        assertEquals(mark, successor.tryAllocate(5));
    }

    @Test
    void timestampsIncreaseStrictlyAndASuccessorWithASlowClockStaysAhead() {
        TimestampOracle tso = new TimestampOracle(0, 3000);
        long now = 1_000_000;
        assertNull(tso.tryNext(now, 1), "nothing before a mark is saved");
        long mark = tso.markFor(now);
        tso.markSaved(mark);
        long previous = -1;
        for (int i = 0; i < 300_000; i++) { // past the logical range of one millisecond
            SchedulerReply.Timestamp t = tso.tryNext(now, 1);
            assertNotNull(t);
            assertTrue(t.compose() > previous);
            previous = t.compose();
        }
        // The successor's clock is an hour behind: it still starts above everything answered.
        TimestampOracle successor = new TimestampOracle(mark, 3000);
        long slow = now - 3_600_000;
        successor.markSaved(successor.markFor(slow));
        SchedulerReply.Timestamp t = successor.tryNext(slow, 1);
        assertNotNull(t);
        assertTrue(t.compose() > previous);
        assertTrue(t.physical() >= mark);
    }
}
