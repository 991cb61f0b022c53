package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.setRandomizedElectionTimeout;
import static io.regionkv.raft.RaftFixtures.snapshot;
import static io.regionkv.raft.RaftFixtures.tick;
import static io.regionkv.raft.RaftTestUtil.beat;
import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestConfig;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.nextEnts;
import static io.regionkv.raft.RaftTestUtil.persist;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.proposeEmpty;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots: installing, ignoring, providing, and the leader's SNAPSHOT progress state (TinyKV 2C, etcd). */
class RaftSnapshotTest {

    /** Index 11, term 11, voters 1 and 2: the snapshot most cases use. */
    private static final Snapshot TESTING_SNAP = snapshot(11, 11, 1, 2);

    /** A leader of {1, 2} whose log was replaced by {@link #TESTING_SNAP}, persisted. */
    private static Raft leaderAfterTestingSnap() {
        Raft sm = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        assertTrue(sm.restore(TESTING_SNAP));
        persist(sm);
        sm.becomeCandidate();
        sm.becomeLeader();
        readMessages(sm);
        return sm;
    }

    @Test
    void restoreSnapshot() {
        Snapshot s = snapshot(11, 11, 1, 2, 3);
        Raft sm = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        sm.handleSnapshot(msg(2, 1, MessageType.MsgSnapshot).setTerm(0).setSnapshot(s).build());

        assertEquals(11, sm.raftLog.lastIndex());
        assertEquals(11, sm.raftLog.term(11));
        assertEquals(11, sm.raftLog.committed);
        assertEquals(List.of(1L, 2L, 3L), RaftTestUtil.nodes(sm));
        assertTrue(sm.raftLog.hasPendingSnapshot(), "the snapshot waits to be persisted");
        // The answer acknowledges everything the snapshot covers.
        List<Message> msgs = readMessages(sm);
        assertEquals(1, msgs.size());
        assertEquals(MessageType.MsgAppendResponse, msgs.get(0).getMsgType());
        assertEquals(11, msgs.get(0).getIndex());
        assertFalse(msgs.get(0).getReject());

        // The same snapshot a second time changes nothing.
        assertFalse(sm.restore(s));
    }

    @Test
    void restoreWithLearner() {
        Snapshot s = snapshot(11, 11, new long[] {1, 2}, new long[] {3});
        Raft sm = newTestRaft(3, new long[] {1, 2}, 8, 2, new MemoryStorage(), b -> b.learners(3));
        assertTrue(sm.isLearner);
        assertTrue(sm.restore(s));

        assertEquals(11, sm.raftLog.lastIndex());
        assertEquals(11, sm.raftLog.term(11));
        assertEquals(List.of(1L, 2L), sm.tracker.voterIds());
        assertEquals(List.of(3L), sm.tracker.learnerIds());
        assertTrue(sm.isLearner);
        assertFalse(sm.restore(s));
    }

    /** A learner whose snapshot lists it as a voter has been promoted by it. */
    @Test
    void restoreLearnerPromotion() {
        Snapshot s = snapshot(11, 11, 1, 2, 3);
        Raft sm = newTestRaft(3, new long[] {1, 2}, 10, 1, new MemoryStorage(), b -> b.learners(3));
        assertTrue(sm.isLearner);
        assertTrue(sm.restore(s));
        assertFalse(sm.isLearner);
        assertEquals(List.of(1L, 2L, 3L), sm.tracker.voterIds());
    }

    /** A snapshot whose membership does not include the node is not for it: nothing changes. */
    @Test
    void restoreSnapshotWithoutSelfIsRefused() {
        Raft sm = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        assertFalse(sm.restore(snapshot(11, 11, 1, 2)));
        assertEquals(0, sm.raftLog.lastIndex());
        assertEquals(0, sm.raftLog.committed);
        assertFalse(sm.raftLog.hasPendingSnapshot());
        assertEquals(List.of(1L, 2L, 3L), sm.tracker.voterIds());
    }

    @Test
    void restoreIgnoreSnapshot() {
        List<Entry> previousEnts = List.of(entry(1, 1), entry(2, 1), entry(3, 1));
        long commit = 1;
        Raft sm = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        sm.raftLog.append(previousEnts);
        sm.raftLog.commitTo(commit);

        // A snapshot at or below the commit index is old news.
        Snapshot s = snapshot(commit, 1, 1, 2);
        assertFalse(sm.restore(s));
        assertEquals(commit, sm.raftLog.committed);

        // A snapshot of entries we hold only tells us they are committed.
        s = snapshot(commit + 1, 1, 1, 2);
        assertFalse(sm.restore(s));
        assertEquals(commit + 1, sm.raftLog.committed);
        assertEquals(3, sm.raftLog.lastIndex(), "the log is kept");
        assertFalse(sm.raftLog.hasPendingSnapshot());
    }

    /** TinyKV's variant: handleSnapshot with a snapshot below the commit index keeps the commit index. */
    @Test
    void restoreIgnoreSnapshotBelowCommit() {
        MemoryStorage storage = RaftTestUtil.storageWith(entry(1, 1), entry(2, 1), entry(3, 1));
        Raft sm = newTestRaft(1, new long[] {1, 2}, 10, 1, storage);
        sm.raftLog.commitTo(3);
        sm.handleSnapshot(msg(2, 1, MessageType.MsgSnapshot).setSnapshot(snapshot(1, 1, 1, 2)).build());
        assertEquals(3, sm.raftLog.committed);
        List<Message> msgs = readMessages(sm);
        assertEquals(1, msgs.size());
        assertEquals(3, msgs.get(0).getIndex(), "the answer tells the leader how far we are committed");
    }

    @Test
    void provideSnap() {
        Raft sm = leaderAfterTestingSnap();
        // Node 2 rejects an append at the first index: it needs what was compacted, i.e. the snapshot.
        sm.tracker.get(2).next = sm.raftLog.firstIndex();
        sm.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(sm.term)
                .setIndex(sm.tracker.get(2).next - 1).setReject(true).build());

        List<Message> msgs = readMessages(sm);
        assertEquals(1, msgs.size());
        Message m = msgs.get(0);
        assertEquals(MessageType.MsgSnapshot, m.getMsgType());
        assertEquals(11, m.getSnapshot().getMetadata().getIndex());
        assertEquals(ProgressState.SNAPSHOT, sm.tracker.get(2).state);
    }

    /** TinyKV's variant: a proposal finds node 2's next index compacted and ships the snapshot instead. */
    @Test
    void provideSnapOnProposal() {
        Raft sm = leaderAfterTestingSnap();
        // The leader has heard from node 2 (a heartbeat answer), so node 2 is worth a snapshot.
        sm.step(msg(2, 1, MessageType.MsgHeartbeatResponse).setTerm(sm.term).build());
        readMessages(sm);
        sm.tracker.get(2).becomeProbe();
        sm.tracker.get(2).next = 10;
        sm.step(propose(1, 1, "somedata"));

        List<Message> msgs = readMessages(sm);
        assertEquals(1, msgs.size());
        assertEquals(MessageType.MsgSnapshot, msgs.get(0).getMsgType());
    }

    /** A leader does not ship a snapshot to a peer it has not heard from lately (etcd TestIgnoreProvidingSnap). */
    @Test
    void ignoreProvidingSnapToInactivePeer() {
        Raft sm = leaderAfterTestingSnap();
        sm.tracker.get(2).next = sm.raftLog.firstIndex() - 1;
        sm.tracker.get(2).recentActive = false;
        sm.step(propose(1, 1, "somedata"));
        assertEquals(List.of(), readMessages(sm));
        assertEquals(ProgressState.PROBE, sm.tracker.get(2).state);
    }

    @Test
    void restoreFromSnapMsg() {
        Message m = msg(1, 2, MessageType.MsgSnapshot).setTerm(2).setSnapshot(TESTING_SNAP).build();
        Raft sm = newTestRaft(2, new long[] {1, 2}, 10, 1, new MemoryStorage());
        sm.step(m);

        assertEquals(1, sm.lead);
        assertEquals(2, sm.term);
        assertEquals(11, sm.raftLog.lastIndex());
        assertEquals(11, sm.raftLog.committed);
    }

    @Test
    void restoreFromSnapWithOverlappingPeers() {
        Snapshot s = snapshot(11, 11, 2, 3, 4);
        Message m = msg(1, 2, MessageType.MsgSnapshot).setTerm(2).setSnapshot(s).build();
        Raft sm = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        sm.step(m);

        assertEquals(1, sm.lead);
        // The snapshot's membership replaces ours entirely.
        assertEquals(List.of(2L, 3L, 4L), sm.tracker.voterIds());
        assertEquals(3, sm.tracker.all().length);
    }

    /** A node holding a snapshot it has not persisted yet must not campaign: its storage predates the snapshot. */
    @Test
    void pendingSnapshotBlocksCampaign() {
        Raft sm = newTestRaft(2, new long[] {1, 2}, 10, 1, new MemoryStorage());
        assertTrue(sm.restore(TESTING_SNAP));
        assertFalse(sm.promotable());
        sm.step(hup(2));
        assertEquals(StateType.FOLLOWER, sm.state);
        assertEquals(0, sm.term);

        persist(sm);
        assertTrue(sm.promotable());
        sm.step(hup(2));
        assertEquals(StateType.CANDIDATE, sm.state);
        assertEquals(11, readMessages(sm).get(0).getLogTerm(), "the vote request carries the snapshot's term");
    }

    @Test
    void slowNodeRestore() {
        Network nt = Network.of(null, null, null);
        nt.send(hup(1));

        nt.isolate(3);
        for (int j = 0; j <= 100; j++) {
            nt.send(proposeEmpty(1, 1));
        }
        Raft lead = nt.raft(1);
        nextEnts(lead);
        MemoryStorage s1 = nt.storage(1);
        long applied = lead.raftLog.applied;
        s1.createSnapshot(applied, lead.tracker.confState(), null);
        s1.compact(applied);
        assertEquals(applied + 1, lead.raftLog.firstIndex());

        nt.recover();
        // Heartbeats let the leader learn that node 3 is alive again; its answer triggers the snapshot.
        Raft follower = nt.raft(3);
        for (int i = 0; i < 10 && !lead.tracker.get(3).recentActive; i++) {
            nt.send(beat(1));
        }
        assertTrue(lead.tracker.get(3).recentActive);
        nt.send(proposeEmpty(1, 1));
        assertEquals(applied, nt.storage(3).snapshot().getMetadata().getIndex(), "node 3 installed the snapshot");

        // One more proposal carries the commit index.
        nt.send(proposeEmpty(1, 1));
        assertEquals(lead.raftLog.committed, follower.raftLog.committed);
        assertEquals(lead.raftLog.lastIndex(), follower.raftLog.lastIndex());
        assertEquals(ProgressState.REPLICATE, lead.tracker.get(3).state);
    }

    /** A learner that missed compacted entries receives the snapshot too (etcd TestLearnerReceiveSnapshot). */
    @Test
    void learnerReceiveSnapshot() {
        Snapshot s = snapshot(11, 11, new long[] {1}, new long[] {2});
        Raft n1 = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        assertTrue(n1.restore(s));
        persist(n1);
        n1.raftLog.appliedTo(11);

        Network nt = Network.of(n1, n2);
        setRandomizedElectionTimeout(n1, n1.electionTimeout);
        tick(n1, n1.electionTimeout);
        assertEquals(StateType.LEADER, n1.state);
        nt.send(beat(1));

        assertEquals(n1.raftLog.committed, n2.raftLog.committed);
        assertEquals(11, nt.storage(2).snapshot().getMetadata().getIndex());
        assertTrue(n2.isLearner);
    }

    // ------------------------------------------------------------ the leader's SNAPSHOT progress state

    @Test
    void sendingSnapshotSetsPendingSnapshot() {
        Raft sm = leaderAfterTestingSnap();
        sm.tracker.get(2).next = sm.raftLog.firstIndex();
        sm.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(sm.term)
                .setIndex(sm.tracker.get(2).next - 1).setReject(true).build());
        assertEquals(11, sm.tracker.get(2).pendingSnapshot);
    }

    @Test
    void pendingSnapshotPausesReplication() {
        Raft sm = leaderAfterTestingSnap();
        sm.tracker.get(2).becomeSnapshot(11);
        sm.step(propose(1, 1, "somedata"));
        assertEquals(List.of(), readMessages(sm));
        assertTrue(sm.tracker.get(2).isPaused());
    }

    @Test
    void snapshotFailure() {
        Raft sm = leaderAfterTestingSnap();
        Progress pr = sm.tracker.get(2);
        pr.next = 1;
        pr.becomeSnapshot(11);
        sm.step(msg(2, 1, MessageType.MsgSnapStatus).setReject(true).build());
        assertEquals(0, pr.pendingSnapshot);
        assertEquals(1, pr.next, "a failed snapshot is not assumed received");
        assertEquals(ProgressState.PROBE, pr.state);
        assertTrue(pr.msgAppFlowPaused, "wait for an answer before probing again");
    }

    @Test
    void snapshotSucceed() {
        Raft sm = leaderAfterTestingSnap();
        Progress pr = sm.tracker.get(2);
        pr.next = 1;
        pr.becomeSnapshot(11);
        sm.step(msg(2, 1, MessageType.MsgSnapStatus).setReject(false).build());
        assertEquals(0, pr.pendingSnapshot);
        assertEquals(12, pr.next, "probe right after the snapshot");
        assertEquals(ProgressState.PROBE, pr.state);
        assertTrue(pr.msgAppFlowPaused);
    }

    /** An acknowledgement at or past the snapshot's index makes the snapshot unnecessary. */
    @Test
    void snapshotAbort() {
        Raft sm = leaderAfterTestingSnap();
        Progress pr = sm.tracker.get(2);
        pr.next = 1;
        pr.becomeSnapshot(11);
        sm.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(sm.term).setIndex(11).build());
        assertEquals(0, pr.pendingSnapshot);
        assertEquals(ProgressState.REPLICATE, pr.state);
        // The leader's empty entry at 12 went out at once, optimistically.
        assertEquals(13, pr.next);
        assertEquals(1, pr.inflights.count());
    }

    // ------------------------------------------------------------ RawNode

    @Test
    void rawNodeRestartFromSnapshot() {
        Snapshot snap = snapshot(2, 1, 1, 2);
        List<Entry> entries = List.of(entry(3, 1, "foo"));
        HardState st = HardState.newBuilder().setTerm(1).setCommit(3).build();

        MemoryStorage s = new MemoryStorage();
        s.setHardState(st);
        s.applySnapshot(snap);
        s.append(entries);
        RawNode rawNode = new RawNode(newTestConfig(1, new long[] {}, 10, 1, s));
        assertEquals(List.of(1L, 2L), rawNode.raft.tracker.voterIds(), "membership comes from the snapshot");

        Ready rd = rawNode.ready();
        Ready want = new Ready(null, null, List.of(), List.of(), null, entries, List.of(), List.of());
        assertEquals(want, rd);
        rawNode.advance(rd);
        rawNode.advanceApply(RawNodeDriver.appliedCursor(rd));
        assertFalse(rawNode.hasReady());
        assertEquals(3, rawNode.status().applied());
    }

    /** Restarting with the applied index given: entries up to it are not handed out again. */
    @Test
    void rawNodeRestartFromSnapshotWithApplied() {
        MemoryStorage s = new MemoryStorage();
        s.setHardState(HardState.newBuilder().setTerm(1).setCommit(4).build());
        s.applySnapshot(snapshot(2, 1, 1, 2));
        s.append(List.of(entry(3, 1, "a"), entry(4, 1, "b")));
        RawNode rawNode = new RawNode(RaftTestUtil.newTestConfigBuilder(1, new long[] {}, 10, 1, s).applied(3).build());
        Ready rd = rawNode.ready();
        assertEquals(List.of(entry(4, 1, "b")), rd.committedEntries());
    }

    /**
     * Through the Ready cycle: a follower that was down while the leader compacted gets a Ready carrying
     * the snapshot (and no committed entries before it), and continues from the log afterwards.
     */
    @Test
    void rawNodeFollowerInstallsSnapshotThroughReady() {
        RawNodeDriver g = RawNodeDriver.group(3);
        g.node(1).campaign();
        g.stabilize();
        assertEquals(StateType.LEADER, g.node(1).raft.state);

        g.down(3);
        for (int i = 0; i < 5; i++) {
            g.node(1).propose(ByteString.copyFromUtf8("v" + i));
            g.stabilize();
        }
        RawNode leader = g.node(1);
        long applied = leader.status().applied();
        assertEquals(6, applied);
        MemoryStorage s1 = g.storage(1);
        s1.createSnapshot(applied, leader.raft.tracker.confState(), ByteString.copyFromUtf8("state@6"));
        s1.compact(applied);

        g.up(3);
        // A heartbeat round: node 3 answers, the leader finds node 3's next entry compacted and sends the
        // snapshot.
        int before = g.handled(3).size();
        leader.tick();
        g.stabilize();
        List<Ready> readies = g.handled(3).subList(before, g.handled(3).size());
        Ready snapReady = readies.stream().filter(r -> r.snapshot() != null).findFirst().orElseThrow(
                () -> new AssertionError("node 3 never got a Ready with a snapshot: " + readies));
        assertEquals(applied, snapReady.snapshot().getMetadata().getIndex());
        assertEquals(ByteString.copyFromUtf8("state@6"), snapReady.snapshot().getData());
        // Nothing below the snapshot is handed out for applying: the snapshot replaces it.
        assertTrue(snapReady.committedEntries().stream().allMatch(e -> e.getIndex() > applied));
        assertTrue(snapReady.mustPersist());
        RawNode n3 = g.node(3);
        assertEquals(applied, g.storage(3).snapshot().getMetadata().getIndex());
        assertNull(n3.raft.raftLog.unstable.snapshot);

        leader.propose(ByteString.copyFromUtf8("after"));
        g.stabilize();
        assertEquals(leader.raft.raftLog.committed, n3.raft.raftLog.committed);
        assertEquals(leader.raft.raftLog.committed, n3.status().applied());
        ConfState cs = g.storage(3).snapshot().getMetadata().getConfState();
        assertEquals(List.of(1L, 2L, 3L), cs.getVotersList());
    }
}
