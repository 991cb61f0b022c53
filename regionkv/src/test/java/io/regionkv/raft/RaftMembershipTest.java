package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.confChange;
import static io.regionkv.raft.RaftFixtures.proposeConfChange;
import static io.regionkv.raft.RaftFixtures.setRandomizedElectionTimeout;
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
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Single-step membership changes, learners, and the one-pending-change rule (TinyKV 3A, etcd). */
class RaftMembershipTest {

    private static final ConfChange ADD_2 = confChange(ConfChangeType.AddNode, 2);
    private static final ConfChange REMOVE_2 = confChange(ConfChangeType.RemoveNode, 2);

    // ------------------------------------------------------------ add / remove

    @Test
    void addNode() {
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage());
        r.applyConfChange(ADD_2);
        assertEquals(List.of(1L, 2L), RaftTestUtil.nodes(r));
    }

    @Test
    void removeNode() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.applyConfChange(REMOVE_2);
        assertEquals(List.of(1L), RaftTestUtil.nodes(r));

        // Remove every node of the group.
        r.applyConfChange(confChange(ConfChangeType.RemoveNode, 1));
        assertEquals(List.of(), RaftTestUtil.nodes(r));
        assertFalse(r.promotable(), "a node outside the group never campaigns");
    }

    /** Adding a node twice, or removing an absent one, changes nothing. */
    @Test
    void duplicateChangesAreNoOps() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.applyConfChange(ADD_2);
        assertEquals(List.of(1L, 2L), RaftTestUtil.nodes(r));
        r.applyConfChange(confChange(ConfChangeType.RemoveNode, 9));
        assertEquals(List.of(1L, 2L), RaftTestUtil.nodes(r));
        // A change without a node id is an empty change: it only reports the membership.
        assertEquals(r.tracker.confState(), r.applyConfChange(ConfChange.getDefaultInstance()));
    }

    /** The smaller quorum after a removal commits what was waiting (TinyKV TestCommitAfterRemoveNode). */
    @Test
    void commitAfterRemoveNode() {
        MemoryStorage s = new MemoryStorage();
        Raft r = newTestRaft(1, new long[] {1, 2}, 5, 1, s);
        r.becomeCandidate();
        r.becomeLeader();

        // Begin to remove the second node.
        r.step(proposeConfChange(1, REMOVE_2));
        assertEquals(List.of(), nextEnts(r), "nothing commits without node 2");
        long ccIndex = r.raftLog.lastIndex();

        // While the change is pending, another proposal.
        r.step(propose(1, 1, "hello"));

        // Node 2 acknowledges the change, committing it (but not "hello").
        r.step(msg(2, 1, MessageType.MsgAppendResponse).setIndex(ccIndex).setTerm(r.term).build());
        List<Entry> ents = nextEnts(r);
        assertEquals(2, ents.size());
        assertEquals(EntryType.EntryNormal, ents.get(0).getEntryType());
        assertTrue(ents.get(0).getData().isEmpty());
        assertEquals(EntryType.EntryConfChange, ents.get(1).getEntryType());

        // Applying the change shrinks the quorum to node 1 alone: "hello" commits.
        r.applyConfChange(REMOVE_2);
        ents = nextEnts(r);
        assertEquals(1, ents.size());
        assertEquals(EntryType.EntryNormal, ents.get(0).getEntryType());
        assertEquals("hello", ents.get(0).getData().toStringUtf8());
    }

    /** A leader that removes itself steps down and drops later proposals. */
    @Test
    void removingTheLeaderStepsItDown() {
        Network nt = Network.of(null, null, null);
        nt.send(hup(1));
        Raft lead = nt.raft(1);
        assertEquals(StateType.LEADER, lead.state);

        lead.applyConfChange(confChange(ConfChangeType.RemoveNode, 1));
        assertEquals(StateType.FOLLOWER, lead.state);
        assertEquals(List.of(2L, 3L), RaftTestUtil.nodes(lead));
        assertThrows(ProposalDroppedException.class, () -> lead.step(propose(1, 1, "x")));
        assertFalse(lead.promotable());
    }

    /** A node added to a leader counts as active at first, then must answer (etcd TestAddNodeCheckQuorum). */
    @Test
    void addNodeCheckQuorum() {
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.checkQuorum(true));
        r.becomeCandidate();
        r.becomeLeader();
        tick(r, r.electionTimeout - 1);
        r.applyConfChange(ADD_2);

        // This tick reaches the election timeout and checks the quorum: the new node counts as active.
        r.tick();
        assertEquals(StateType.LEADER, r.state);

        // Another election timeout without hearing from node 2: no quorum, step down.
        tick(r, r.electionTimeout);
        assertEquals(StateType.FOLLOWER, r.state);
    }

    // ------------------------------------------------------------ learners

    @Test
    void addLearner() {
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage());
        r.applyConfChange(confChange(ConfChangeType.AddLearnerNode, 2));
        assertEquals(List.of(1L), r.tracker.voterIds());
        assertEquals(List.of(2L), r.tracker.learnerIds());
        assertTrue(r.tracker.get(2).isLearner);
    }

    @Test
    void removeLearner() {
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        r.applyConfChange(REMOVE_2);
        assertEquals(List.of(1L), r.tracker.voterIds());
        assertEquals(List.of(), r.tracker.learnerIds());

        r.applyConfChange(confChange(ConfChangeType.RemoveNode, 1));
        assertEquals(List.of(), r.tracker.voterIds());
        assertEquals(List.of(), r.tracker.learnerIds());
    }

    /** Demoting a voter is not a single-step change this core supports: a typed error, nothing changed. */
    @Test
    void voterCannotBecomeLearner() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        assertThrows(IllegalArgumentException.class,
                () -> r.applyConfChange(confChange(ConfChangeType.AddLearnerNode, 2)));
        assertEquals(List.of(1L, 2L), r.tracker.voterIds());
        assertEquals(List.of(), r.tracker.learnerIds());
    }

    /** A learner does not campaign, however long it waits (etcd TestLearnerElectionTimeout). */
    @Test
    void learnerElectionTimeout() {
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        n2.becomeFollower(1, Raft.NONE);
        setRandomizedElectionTimeout(n2, n2.electionTimeout);
        tick(n2, 4 * n2.electionTimeout);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(1, n2.term);
        assertEquals(List.of(), readMessages(n2));
    }

    /** A learner ignores a local campaign request and a leader's TimeoutNow (etcd TestLearnerCampaign). */
    @Test
    void learnerCampaign() {
        Raft n1 = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage());
        n1.applyConfChange(confChange(ConfChangeType.AddLearnerNode, 2));
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage());
        n2.applyConfChange(confChange(ConfChangeType.AddLearnerNode, 2));
        Network nt = Network.of(n1, n2);

        nt.send(hup(2));
        assertTrue(n2.isLearner);
        assertEquals(StateType.FOLLOWER, n2.state, "a learner campaigned");

        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(1, n1.lead);

        // A transfer may have been decided before the target became a learner; the learner ignores it.
        nt.send(msg(1, 2, MessageType.MsgTimeoutNow).setTerm(n1.term).build());
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.LEADER, n1.state);
    }

    /** A learner grants a vote when asked: a leader may have promoted it without it knowing yet (etcd TestLearnerCanVote). */
    @Test
    void learnerCanVote() {
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        n2.becomeFollower(1, Raft.NONE);
        n2.step(msg(1, 2, MessageType.MsgRequestVote).setTerm(2).setLogTerm(11).setIndex(11).build());

        List<Message> msgs = readMessages(n2);
        assertEquals(1, msgs.size());
        assertEquals(MessageType.MsgRequestVoteResponse, msgs.get(0).getMsgType());
        assertFalse(msgs.get(0).getReject(), "the learner rejected the vote");
    }

    /** A learner receives and commits the log (etcd TestLearnerLogReplication). */
    @Test
    void learnerLogReplication() {
        Raft n1 = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        Network nt = Network.of(n1, n2);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);

        setRandomizedElectionTimeout(n1, n1.electionTimeout);
        tick(n1, n1.electionTimeout);
        nt.send(beat(1));
        assertEquals(StateType.LEADER, n1.state);
        assertTrue(n2.isLearner);

        long nextCommitted = n1.raftLog.committed + 1;
        nt.send(propose(1, 1, "somedata"));
        assertEquals(nextCommitted, n1.raftLog.committed);
        assertEquals(n1.raftLog.committed, n2.raftLog.committed);
        assertEquals(n2.raftLog.committed, n1.tracker.get(2).match);
    }

    /** Only voters count toward a quorum: a learner's acknowledgement commits nothing. */
    @Test
    void learnerAckDoesNotCommit() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage(), b -> b.learners(3));
        r.becomeCandidate();
        r.becomeLeader();
        persist(r);
        r.step(propose(1, 1, "x"));
        persist(r);
        long last = r.raftLog.lastIndex();
        r.step(msg(3, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(last).build());
        assertEquals(0, r.raftLog.committed, "the leader and a learner are not a quorum of {1, 2}");
        r.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(last).build());
        assertEquals(last, r.raftLog.committed);
    }

    /** A learner promoted to voter campaigns and wins (etcd TestLearnerPromotion). */
    @Test
    void learnerPromotion() {
        Raft n1 = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        Raft n2 = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2);
        assertTrue(n1.state != StateType.LEADER);

        // n1 becomes leader alone (it is the only voter).
        setRandomizedElectionTimeout(n1, n1.electionTimeout);
        tick(n1, n1.electionTimeout);
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        nt.send(beat(1));

        n1.applyConfChange(ADD_2);
        n2.applyConfChange(ADD_2);
        assertFalse(n2.isLearner);

        // n2 times out, campaigns, and wins.
        setRandomizedElectionTimeout(n2, n2.electionTimeout);
        tick(n2, n2.electionTimeout);
        nt.send(beat(2));
        assertEquals(StateType.FOLLOWER, n1.state);
        assertEquals(StateType.LEADER, n2.state);
    }

    // ------------------------------------------------------------ one pending conf change at most

    /** etcd TestStepConfig: a leader appends a conf change and remembers it as pending. */
    @Test
    void stepConfig() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        long index = r.raftLog.lastIndex();
        r.step(proposeConfChange(1, ADD_2));
        assertEquals(index + 1, r.raftLog.lastIndex());
        assertEquals(index + 1, r.pendingConfIndex);
    }

    /** etcd TestStepIgnoreConfig: a second change while one is pending becomes an empty normal entry. */
    @Test
    void stepIgnoreConfig() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 3)));
        long index = r.raftLog.lastIndex();
        long pendingConfIndex = r.pendingConfIndex;
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 4)));

        assertEquals(List.of(entry(index + 1, 1)), r.raftLog.entries(index + 1, Long.MAX_VALUE));
        assertEquals(pendingConfIndex, r.pendingConfIndex);
    }

    /**
     * etcd TestNewLeaderPendingConfig: a new leader treats any entry it may hold unapplied as a possible
     * conf change.
     */
    @ParameterizedTest(name = "addEntry={0}")
    @CsvSource({"false, 0", "true, 1"})
    void newLeaderPendingConfig(boolean addEntry, long wantPendingIndex) {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        if (addEntry) {
            r.raftLog.append(List.of(entry(1, 0)));
        }
        r.becomeCandidate();
        r.becomeLeader();
        assertEquals(wantPendingIndex, r.pendingConfIndex);
    }

    /** The pending change blocks others until the application reports it applied, not merely committed. */
    @Test
    void pendingConfChangeBlocksUntilApplied() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 3)));
        long ccIndex = r.raftLog.lastIndex();
        persist(r);
        r.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(ccIndex).build());
        assertEquals(ccIndex, r.raftLog.committed);

        // Committed but not applied: still pending.
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 4)));
        Entry refused = r.raftLog.entries(r.raftLog.lastIndex(), Long.MAX_VALUE).get(0);
        assertEquals(EntryType.EntryNormal, refused.getEntryType());
        assertTrue(refused.getData().isEmpty());

        // Applied: the next change is accepted.
        r.raftLog.appliedTo(ccIndex);
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 5)));
        long accepted = r.raftLog.lastIndex();
        assertEquals(EntryType.EntryConfChange, r.raftLog.entries(accepted, Long.MAX_VALUE).get(0).getEntryType());
        assertEquals(accepted, r.pendingConfIndex);
    }

    /** A node with a committed but unapplied conf change does not campaign: the change may alter who votes. */
    @Test
    void noCampaignWithUnappliedConfChange() {
        MemoryStorage s = RaftTestUtil.storageWith(entry(1, 1),
                RaftFixtures.confChangeEntry(ADD_2).toBuilder().setIndex(2).setTerm(1).build());
        s.setHardState(io.regionkv.proto.Eraftpb.HardState.newBuilder().setTerm(1).setCommit(2).build());
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, s, b -> b.applied(1));
        r.step(hup(1));
        assertEquals(StateType.FOLLOWER, r.state);
        assertEquals(1, r.term);

        r.raftLog.appliedTo(2);
        r.applyConfChange(ADD_2);
        r.step(hup(1));
        assertEquals(StateType.CANDIDATE, r.state);
        assertEquals(2, r.term);
    }

    // ------------------------------------------------------------ RawNode

    /** RawNode.propose and proposeConfChange reach the log (TinyKV TestRawNodeProposeAndConfChange). */
    @Test
    void rawNodeProposeAndConfChange() {
        MemoryStorage s = new MemoryStorage();
        RawNode rawNode = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        Ready rd = rawNode.ready();
        RawNodeDriver.handle(rawNode, s, rd);
        Ready d = rawNode.ready();
        assertTrue(d.hardState() == null && d.entries().isEmpty(), "expected an empty Ready: " + d);
        RawNodeDriver.handle(rawNode, s, d);

        rawNode.campaign();
        rd = rawNode.ready();
        assertEquals(rawNode.id(), rd.softState().lead(), "expected to become leader");

        ConfChange cc = confChange(ConfChangeType.AddNode, 1);
        rawNode.propose(ByteString.copyFromUtf8("somedata"));
        rawNode.proposeConfChange(cc);

        List<Entry> entries = rawNode.raft.raftLog.allEntries();
        assertTrue(entries.size() >= 2);
        entries = entries.subList(entries.size() - 2, entries.size());
        assertEquals("somedata", entries.get(0).getData().toStringUtf8());
        assertEquals(EntryType.EntryConfChange, entries.get(1).getEntryType());
        assertEquals(cc.toByteString(), entries.get(1).getData());
    }

    /** Two proposals to add the same node do not block a later one (TinyKV TestRawNodeProposeAddDuplicateNode). */
    @Test
    void rawNodeProposeAddDuplicateNode() {
        MemoryStorage s = new MemoryStorage();
        RawNode rawNode = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        RawNodeDriver.drain(rawNode, s);
        rawNode.campaign();
        RawNodeDriver.drain(rawNode, s);
        assertEquals(StateType.LEADER, rawNode.raft.state);

        ConfChange cc1 = confChange(ConfChangeType.AddNode, 1);
        ConfChange cc2 = confChange(ConfChangeType.AddNode, 2);
        proposeConfChangeAndApply(rawNode, s, cc1);
        // Try to add the same node again.
        proposeConfChangeAndApply(rawNode, s, cc1);
        // The new node's change must go through.
        proposeConfChangeAndApply(rawNode, s, cc2);

        long lastIndex = s.lastIndex();
        List<Entry> entries = s.entries(lastIndex - 2, lastIndex + 1, Long.MAX_VALUE);
        assertEquals(3, entries.size());
        assertEquals(cc1.toByteString(), entries.get(0).getData());
        assertEquals(EntryType.EntryConfChange, entries.get(1).getEntryType());
        assertEquals(cc1.toByteString(), entries.get(1).getData());
        assertEquals(cc2.toByteString(), entries.get(2).getData());
        assertEquals(List.of(1L, 2L), rawNode.raft.tracker.voterIds());
    }

    private static void proposeConfChangeAndApply(RawNode rawNode, MemoryStorage s, ConfChange cc) {
        rawNode.proposeConfChange(cc);
        List<Entry> committed = RawNodeDriver.drain(rawNode, s);
        assertTrue(committed.stream().anyMatch(e -> e.getEntryType() == EntryType.EntryConfChange
                && e.getData().equals(cc.toByteString())), "the change was committed and applied: " + committed);
    }
}
