package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.beat;
import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestConfigBuilder;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Flow control: the leader keeps at most {@code maxInflightMsgs} appends outstanding per follower, and
 * moves each follower between PROBE, REPLICATE and SNAPSHOT (etcd raft_flow_control_test, progress and
 * inflights tests).
 */
class RaftFlowControlTest {

    /** A leader of {1, 2} at term 1 with node 2 forced into REPLICATE. */
    private static Raft leaderReplicatingTo2() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 5, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.tracker.get(2).becomeReplicate();
        return r;
    }

    private static Message appResp(Raft r, long from, long index) {
        return msg(from, r.id, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(index).build();
    }

    private static Message hbResp(Raft r, long from) {
        return msg(from, r.id, MessageType.MsgHeartbeatResponse).setTerm(r.term).build();
    }

    /** Once the window is full the leader stops sending appends (etcd TestMsgAppFlowControlFull). */
    @Test
    void msgAppFlowControlFull() {
        Raft r = leaderReplicatingTo2();
        Progress pr2 = r.tracker.get(2);
        int maxInflight = pr2.inflights.capacity();

        // Fill the window.
        for (int i = 0; i < maxInflight; i++) {
            r.step(propose(1, 1, "somedata"));
            List<Message> ms = readMessages(r);
            assertEquals(1, ms.size(), "#" + i);
            assertEquals(MessageType.MsgAppend, ms.get(0).getMsgType());
        }
        assertTrue(pr2.inflights.full());

        // Nothing more goes out.
        for (int i = 0; i < 10; i++) {
            r.step(propose(1, 1, "somedata"));
            assertEquals(List.of(), readMessages(r), "#" + i);
        }
    }

    /** Acknowledgements slide the window forward; stale ones do not (etcd TestMsgAppFlowControlMoveForward). */
    @Test
    void msgAppFlowControlMoveForward() {
        Raft r = leaderReplicatingTo2();
        Progress pr2 = r.tracker.get(2);
        int maxInflight = pr2.inflights.capacity();
        for (int i = 0; i < maxInflight; i++) {
            r.step(propose(1, 1, "somedata"));
            readMessages(r);
        }

        // Entry 1 is the leader's empty entry and went out with entry 2, the first proposal: start at 2.
        for (int tt = 2; tt < maxInflight; tt++) {
            // Move the window forward by one.
            r.step(appResp(r, 2, tt));
            readMessages(r);

            // Fill it again.
            r.step(propose(1, 1, "somedata"));
            List<Message> ms = readMessages(r);
            assertEquals(1, ms.size(), "#" + tt);
            assertEquals(MessageType.MsgAppend, ms.get(0).getMsgType());
            assertTrue(pr2.inflights.full(), "#" + tt);

            // Acknowledgements of older indexes free nothing.
            for (int i = 0; i < tt; i++) {
                r.step(appResp(r, 2, i));
                assertTrue(pr2.inflights.full(), "#" + tt + "." + i);
            }
        }
    }

    /**
     * A heartbeat answer from a follower whose window is full frees one slot: an append was probably
     * lost (etcd TestMsgAppFlowControlRecvHeartbeat, in the version without probes in REPLICATE).
     */
    @Test
    void msgAppFlowControlRecvHeartbeat() {
        Raft r = leaderReplicatingTo2();
        Progress pr2 = r.tracker.get(2);
        int maxInflight = pr2.inflights.capacity();
        for (int i = 0; i < maxInflight; i++) {
            r.step(propose(1, 1, "somedata"));
            readMessages(r);
        }

        for (int tt = 1; tt < 5; tt++) {
            assertTrue(pr2.inflights.full(), "#" + tt);

            // tt heartbeat answers leave exactly one slot free.
            for (int i = 0; i < tt; i++) {
                r.step(hbResp(r, 2));
                readMessages(r);
                assertFalse(pr2.inflights.full(), "#" + tt + "." + i);
            }

            // One slot ...
            r.step(propose(1, 1, "somedata"));
            assertEquals(1, readMessages(r).size(), "#" + tt);

            // ... and only one.
            for (int i = 0; i < 10; i++) {
                r.step(propose(1, 1, "somedata"));
                assertEquals(List.of(), readMessages(r), "#" + tt + "." + i);
            }

            // The next heartbeat answer sends what piled up, filling the slot it frees.
            r.step(hbResp(r, 2));
            readMessages(r);
        }
    }

    /**
     * PROBE sends one append and waits; the answer switches to REPLICATE, which streams up to the window
     * with messages cut at maxSizePerMsg (etcd TestProgressFlowControl).
     */
    @Test
    void progressFlowControl() {
        Config cfg = newTestConfigBuilder(1, new long[] {1, 2}, 5, 1, new MemoryStorage())
                .maxInflightMsgs(3)
                .maxSizePerMsg(2048)
                .build();
        Raft r = new Raft(cfg);
        r.becomeCandidate();
        r.becomeLeader();
        readMessages(r);

        // While node 2 is probed, propose a bunch of entries.
        r.tracker.get(2).becomeProbe();
        ByteString blob = ByteString.copyFromUtf8("a".repeat(1000));
        for (int i = 0; i < 10; i++) {
            r.step(msg(1, 1, MessageType.MsgPropose).addEntries(Entry.newBuilder().setData(blob)).build());
        }

        List<Message> ms = readMessages(r);
        // One probe: the leader's empty entry and the first proposal (two 1000-byte entries would not fit).
        assertEquals(1, ms.size());
        assertEquals(MessageType.MsgAppend, ms.get(0).getMsgType());
        assertEquals(2, ms.get(0).getEntriesCount());
        assertEquals(0, ms.get(0).getEntries(0).getData().size());
        assertEquals(1000, ms.get(0).getEntries(1).getData().size());

        // Its acknowledgement switches to REPLICATE: three messages at once (the window), two entries each.
        r.step(appResp(r, 2, ms.get(0).getEntries(1).getIndex()));
        ms = readMessages(r);
        assertEquals(3, ms.size());
        for (Message m : ms) {
            assertEquals(MessageType.MsgAppend, m.getMsgType());
            assertEquals(2, m.getEntriesCount());
        }
        assertEquals(ProgressState.REPLICATE, r.tracker.get(2).state);

        // Acknowledging all three at once sends the last three entries in two messages.
        r.step(appResp(r, 2, ms.get(2).getEntries(1).getIndex()));
        ms = readMessages(r);
        assertEquals(2, ms.size());
        assertEquals(2, ms.get(0).getEntriesCount());
        assertEquals(1, ms.get(1).getEntriesCount());
    }

    /** etcd TestProgressPaused: in PROBE only one append is outstanding. */
    @Test
    void progressPaused() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 5, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.step(propose(1, 1, "somedata"));
        r.step(propose(1, 1, "somedata"));
        r.step(propose(1, 1, "somedata"));
        assertEquals(1, readMessages(r).size());
    }

    /** etcd TestProgressResumeByHeartbeatResp: a heartbeat answer (not the heartbeat) resumes a paused probe. */
    @Test
    void progressResumeByHeartbeatResp() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 5, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.tracker.get(2).msgAppFlowPaused = true;

        r.step(beat(1));
        assertTrue(r.tracker.get(2).msgAppFlowPaused);

        r.step(hbResp(r, 2));
        // Resumed, and the leader used that at once to probe again (which pauses until answered).
        List<Message> ms = readMessages(r);
        assertEquals(1, RaftFixtures.ofType(ms, MessageType.MsgAppend).size());
        assertTrue(r.tracker.get(2).msgAppFlowPaused);
    }

    /** etcd TestSendAppendForProgressProbe. */
    @Test
    void sendAppendForProgressProbe() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        readMessages(r);
        r.tracker.get(2).becomeProbe();

        // Each round is a heartbeat.
        for (int i = 0; i < 3; i++) {
            if (i == 0) {
                // Only one append goes out on the first round; then the follower is paused until it answers.
                r.step(propose(1, 1, "somedata"));
                List<Message> msg = readMessages(r);
                assertEquals(1, msg.size());
                assertEquals(0, msg.get(0).getIndex());
            }
            assertTrue(r.tracker.get(2).msgAppFlowPaused);
            for (int j = 0; j < 10; j++) {
                r.step(propose(1, 1, "somedata"));
                r.sendAppend(2);
                assertEquals(List.of(), readMessages(r));
            }

            // A heartbeat goes out regardless, and does not unpause.
            for (int j = 0; j < r.heartbeatTimeout; j++) {
                r.step(beat(1));
            }
            assertTrue(r.tracker.get(2).msgAppFlowPaused);
            List<Message> msg = readMessages(r);
            assertEquals(1, msg.size());
            assertEquals(MessageType.MsgHeartbeat, msg.get(0).getMsgType());
        }

        // A heartbeat answer lets one more append (probe) go out.
        r.step(hbResp(r, 2));
        List<Message> msg = readMessages(r);
        assertEquals(1, msg.size());
        assertEquals(MessageType.MsgAppend, msg.get(0).getMsgType());
        assertEquals(0, msg.get(0).getIndex());
        assertTrue(r.tracker.get(2).msgAppFlowPaused);
    }

    /** etcd TestSendAppendForProgressReplicate: REPLICATE sends every new entry at once. */
    @Test
    void sendAppendForProgressReplicate() {
        Raft r = leaderReplicatingTo2();
        readMessages(r);
        for (int i = 0; i < 10; i++) {
            r.step(propose(1, 1, "somedata"));
            assertEquals(1, readMessages(r).size(), "#" + i);
        }
    }

    /** etcd TestSendAppendForProgressSnapshot: nothing is appended while a snapshot is in flight. */
    @Test
    void sendAppendForProgressSnapshot() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        readMessages(r);
        r.tracker.get(2).becomeSnapshot(10);
        for (int i = 0; i < 10; i++) {
            r.step(propose(1, 1, "somedata"));
            r.sendAppend(2);
            assertEquals(List.of(), readMessages(r), "#" + i);
        }
    }

    /** etcd TestRecvMsgUnreachable: an unreachable follower drops back from REPLICATE to PROBE. */
    @Test
    void recvMsgUnreachable() {
        MemoryStorage s = RaftTestUtil.storageWith(entry(1, 1), entry(2, 1), entry(3, 1));
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, s);
        r.becomeCandidate();
        r.becomeLeader();
        readMessages(r);
        Progress pr = r.tracker.get(2);
        pr.match = 3;
        pr.becomeReplicate();
        pr.optimisticUpdate(5);

        r.step(msg(2, 1, MessageType.MsgUnreachable).build());
        assertEquals(ProgressState.PROBE, pr.state);
        assertEquals(pr.match + 1, pr.next);
    }

    /** A rejection in REPLICATE falls back to PROBE from the match index. */
    @Test
    void rejectInReplicateFallsBackToProbe() {
        Raft r = leaderReplicatingTo2();
        for (int i = 0; i < 3; i++) {
            r.step(propose(1, 1, "x"));
        }
        readMessages(r);
        Progress pr = r.tracker.get(2);
        assertEquals(5, pr.next);
        r.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(4).setReject(true)
                .setRejectHint(0).build());
        assertEquals(ProgressState.PROBE, pr.state);
        List<Message> ms = readMessages(r);
        assertEquals(1, ms.size());
        assertEquals(0, ms.get(0).getIndex(), "probe again right after match");
        assertTrue(pr.msgAppFlowPaused);
    }

    // ------------------------------------------------------------ Progress

    @ParameterizedTest(name = "{0} paused={1}")
    @CsvSource({"PROBE, false, false", "PROBE, true, true", "REPLICATE, false, false", "REPLICATE, true, false",
            "SNAPSHOT, false, true", "SNAPSHOT, true, true"})
    void progressIsPaused(ProgressState state, boolean paused, boolean want) {
        Progress p = new Progress(2, 0, 1, 256, false);
        p.state = state;
        p.msgAppFlowPaused = paused;
        assertEquals(want, p.isPaused());
    }

    /** A full window pauses REPLICATE. */
    @Test
    void progressReplicatePausedByFullWindow() {
        Progress p = new Progress(2, 0, 1, 2, false);
        p.becomeReplicate();
        p.inflights.add(1);
        assertFalse(p.isPaused());
        p.inflights.add(2);
        assertTrue(p.isPaused());
    }

    /** etcd TestProgressResume: progress made in PROBE unpauses. */
    @Test
    void progressResume() {
        Progress p = new Progress(2, 0, 2, 256, false);
        p.msgAppFlowPaused = true;
        p.maybeDecrTo(1, 1);
        assertFalse(p.msgAppFlowPaused);
        p.msgAppFlowPaused = true;
        p.maybeUpdate(2);
        assertFalse(p.msgAppFlowPaused);
    }

    @ParameterizedTest(name = "{0} pendingSnapshot={1}")
    @CsvSource({"REPLICATE, 0, 2", "SNAPSHOT, 10, 11", "SNAPSHOT, 0, 2"})
    void progressBecomeProbe(ProgressState from, long pendingSnapshot, long wantNext) {
        Progress p = new Progress(2, 1, 5, 256, false);
        p.state = from;
        p.pendingSnapshot = pendingSnapshot;
        p.becomeProbe();
        assertEquals(ProgressState.PROBE, p.state);
        assertEquals(1, p.match);
        assertEquals(wantNext, p.next);
        assertEquals(0, p.pendingSnapshot);
    }

    @Test
    void progressBecomeReplicate() {
        Progress p = new Progress(2, 1, 5, 256, false);
        p.becomeReplicate();
        assertEquals(ProgressState.REPLICATE, p.state);
        assertEquals(1, p.match);
        assertEquals(2, p.next);
    }

    @Test
    void progressBecomeSnapshot() {
        Progress p = new Progress(2, 1, 5, 256, false);
        p.becomeSnapshot(10);
        assertEquals(ProgressState.SNAPSHOT, p.state);
        assertEquals(1, p.match);
        assertEquals(10, p.pendingSnapshot);
    }

    /** etcd TestProgressUpdate: match and next never go backwards. */
    @ParameterizedTest(name = "update {0}")
    @CsvSource({"2, 3, 5, false", "3, 3, 5, false", "4, 4, 5, true", "5, 5, 6, true"})
    void progressUpdate(long update, long wantMatch, long wantNext, boolean wantOk) {
        Progress p = new Progress(2, 3, 5, 256, false);
        assertEquals(wantOk, p.maybeUpdate(update));
        assertEquals(wantMatch, p.match);
        assertEquals(wantNext, p.next);
    }

    /** etcd TestProgressMaybeDecr. */
    @ParameterizedTest(name = "{0} match={1} next={2} rejected={3} hint={4}")
    @CsvSource({
        // REPLICATE: a rejection at or below match is stale ...
        "REPLICATE, 5, 10, 5, 5, false, 10",
        "REPLICATE, 5, 10, 4, 4, false, 10",
        // ... otherwise go straight back to match + 1.
        "REPLICATE, 5, 10, 9, 9, true, 6",
        // PROBE: only the answer to the outstanding probe (next - 1) counts.
        "PROBE, 0, 0, 0, 0, false, 0",
        "PROBE, 0, 10, 5, 5, false, 10",
        "PROBE, 0, 10, 9, 9, true, 9",
        "PROBE, 0, 2, 1, 1, true, 1",
        "PROBE, 0, 1, 0, 0, true, 1",
        // The follower's hint allows skipping further back, but never below match + 1.
        "PROBE, 0, 10, 9, 2, true, 3",
        "PROBE, 0, 10, 9, 0, true, 1"})
    void progressMaybeDecr(ProgressState state, long match, long next, long rejected, long hint, boolean want,
            long wantNext) {
        Progress p = new Progress(2, match, next, 256, false);
        p.state = state;
        assertEquals(want, p.maybeDecrTo(rejected, hint));
        assertEquals(match, p.match);
        assertEquals(wantNext, p.next);
    }

    // ------------------------------------------------------------ Inflights

    @Test
    void inflightsAdd() {
        Inflights in = new Inflights(10);
        for (int i = 0; i < 5; i++) {
            in.add(i);
        }
        assertEquals(5, in.count());
        assertFalse(in.full());
        for (int i = 5; i < 10; i++) {
            in.add(i);
        }
        assertEquals(10, in.count());
        assertTrue(in.full());
        assertThrows(IllegalStateException.class, () -> in.add(10));
        assertEquals(10, in.count(), "a refused add changes nothing");
    }

    /** Freeing and adding across the end of the ring buffer keeps the order right. */
    @Test
    void inflightsFreeLEAcrossWrap() {
        Inflights in = new Inflights(10);
        for (int i = 0; i < 10; i++) {
            in.add(i);
        }
        in.freeLE(0);
        assertEquals(9, in.count());
        in.freeLE(4);
        assertEquals(5, in.count());
        in.freeLE(8);
        assertEquals(1, in.count());

        // The window now starts at slot 9; these wrap around to the front of the buffer.
        for (int i = 10; i < 15; i++) {
            in.add(i);
        }
        assertEquals(6, in.count());
        in.freeLE(3);
        assertEquals(6, in.count(), "freeing below the first inflight index frees nothing");
        in.freeLE(12);
        assertEquals(2, in.count());
        in.freeLE(14);
        assertEquals(0, in.count());

        // Empty and full again after wrapping.
        for (int i = 20; i < 30; i++) {
            in.add(i);
        }
        assertTrue(in.full());
        in.freeLE(25);
        assertEquals(4, in.count());
    }

    @Test
    void inflightsFreeFirstOne() {
        Inflights in = new Inflights(10);
        for (int i = 0; i < 10; i++) {
            in.add(i);
        }
        in.freeFirstOne();
        assertEquals(9, in.count());
        in.freeLE(9);
        assertEquals(0, in.count());
        in.freeFirstOne();
        assertEquals(0, in.count(), "freeing from an empty window is a no-op");
    }

    @Test
    void inflightsReset() {
        Inflights in = new Inflights(3);
        in.add(1);
        in.add(2);
        in.reset();
        assertEquals(0, in.count());
        in.add(7);
        in.add(8);
        in.add(9);
        assertTrue(in.full());
        assertThrows(IllegalArgumentException.class, () -> new Inflights(0));
    }
}
