package io.regionkv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flow-control building blocks: the inflight window, per-peer progress, and quorum arithmetic. */
class ProgressTest {

    @Test
    void inflightsWrapAroundAndFree() {
        Inflights in = new Inflights(4);
        for (long i = 1; i <= 4; i++) {
            in.add(i * 10);
        }
        assertTrue(in.full());
        assertThrows(IllegalStateException.class, () -> in.add(50));
        in.freeLE(20);
        assertEquals(2, in.count());
        in.add(50);
        in.add(60); // wraps around the ring
        assertTrue(in.full());
        in.freeLE(45);
        assertEquals(2, in.count());
        in.freeFirstOne();
        assertEquals(1, in.count());
        in.freeLE(5); // nothing that old
        assertEquals(1, in.count());
        in.freeLE(100);
        assertEquals(0, in.count());
        in.add(70);
        in.reset();
        assertEquals(0, in.count());
    }

    @Test
    void maybeDecrToInProbeAndReplicate() {
        Progress pr = new Progress(2, 5, 10, 8, false);
        pr.becomeReplicate();
        assertEquals(6, pr.next);
        assertFalse(pr.maybeDecrTo(5, 5), "rejection at or below match is stale");
        assertTrue(pr.maybeDecrTo(7, 7));
        assertEquals(6, pr.next);

        Progress probe = new Progress(3, 0, 10, 8, false);
        assertFalse(probe.maybeDecrTo(5, 5), "not the outstanding probe");
        probe.msgAppFlowPaused = true;
        assertTrue(probe.maybeDecrTo(9, 3));
        assertEquals(4, probe.next);
        assertFalse(probe.msgAppFlowPaused);
        assertTrue(probe.maybeDecrTo(3, 100));
        assertEquals(3, probe.next, "never beyond the rejected index");
    }

    @Test
    void pausedByState() {
        Progress pr = new Progress(2, 0, 1, 2, false);
        assertFalse(pr.isPaused());
        pr.msgAppFlowPaused = true;
        assertTrue(pr.isPaused());
        pr.becomeReplicate();
        assertFalse(pr.isPaused());
        pr.inflights.add(1);
        pr.inflights.add(2);
        assertTrue(pr.isPaused());
        pr.becomeSnapshot(10);
        assertTrue(pr.isPaused());
        pr.becomeProbe();
        assertEquals(11, pr.next, "probe right after the snapshot");
        assertFalse(pr.isPaused());
    }

    @Test
    void committedIsTheQuorumMedianOfVoters() {
        ProgressTracker t = new ProgressTracker(4);
        t.add(1, 5, 6, false);
        t.add(2, 3, 4, false);
        t.add(3, 9, 10, false);
        t.add(4, 100, 101, true); // learners do not count
        assertEquals(5, t.committed());
        t.add(5, 1, 2, false);
        assertEquals(3, t.committed());
        t.remove(5);
        t.remove(2);
        assertEquals(5, t.committed());
        assertEquals(java.util.List.of(1L, 3L), t.voterIds());
        assertEquals(java.util.List.of(4L), t.learnerIds());
    }

    @Test
    void voteResult() {
        ProgressTracker t = new ProgressTracker(4);
        for (long id = 1; id <= 5; id++) {
            t.add(id, 0, 1, false);
        }
        t.add(6, 0, 1, true);
        assertEquals(VoteResult.PENDING, t.voteResult(Map.of(1L, true, 2L, true)));
        assertEquals(VoteResult.WON, t.voteResult(Map.of(1L, true, 2L, true, 3L, true)));
        assertEquals(VoteResult.LOST, t.voteResult(Map.of(1L, false, 2L, false, 3L, false)));
        assertEquals(VoteResult.PENDING, t.voteResult(Map.of(1L, true, 2L, true, 6L, true)), "a learner's yes counts not");
        t.recordVote(1, true);
        t.recordVote(1, false); // first answer sticks
        assertEquals(Boolean.TRUE, t.votes.get(1L));
    }

    @Test
    void quorumActive() {
        ProgressTracker t = new ProgressTracker(4);
        for (long id = 1; id <= 3; id++) {
            t.add(id, 0, 1, false);
        }
        assertFalse(t.quorumActive(1));
        t.get(2).recentActive = true;
        assertTrue(t.quorumActive(1));
    }
}
