package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.checkLeaderTransferState;
import static io.regionkv.raft.RaftFixtures.confChange;
import static io.regionkv.raft.RaftFixtures.tick;
import static io.regionkv.raft.RaftFixtures.transferLeader;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.nextEnts;
import static io.regionkv.raft.RaftTestUtil.proposeEmpty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.MessageType;
import org.junit.jupiter.api.Test;

/** Leadership transfer with MsgTimeoutNow (TinyKV 3A, etcd). */
class RaftLeaderTransferTest {

    /** Three fresh nodes with node 1 elected. */
    private static Network electedThree() {
        Network nt = Network.of(null, null, null);
        nt.send(hup(1));
        assertEquals(1, nt.raft(1).lead, "node 1 should have been elected");
        return nt;
    }

    /** Transfer succeeds at once when the transferee's log is up to date. */
    @Test
    void leaderTransferToUpToDateNode() {
        Network nt = electedThree();
        Raft lead = nt.raft(1);

        nt.send(transferLeader(2, 1));
        checkLeaderTransferState(lead, StateType.FOLLOWER, 2);
        assertEquals(StateType.LEADER, nt.raft(2).state);

        // After some replication, transfer back to node 1.
        nt.send(proposeEmpty(1, 1));
        nt.send(transferLeader(1, 2));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** Same, with the transfer request given to a follower, which forwards it to the leader. */
    @Test
    void leaderTransferToUpToDateNodeFromFollower() {
        Network nt = electedThree();
        Raft lead = nt.raft(1);

        nt.send(transferLeader(2, 2));
        checkLeaderTransferState(lead, StateType.FOLLOWER, 2);

        nt.send(proposeEmpty(1, 1));
        nt.send(transferLeader(1, 1));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** A slow transferee is first caught up, then told to campaign. */
    @Test
    void leaderTransferToSlowFollower() {
        Network nt = electedThree();
        nt.isolate(3);
        nt.send(proposeEmpty(1, 1));
        nt.recover();
        Raft lead = nt.raft(1);
        assertEquals(1, lead.tracker.get(3).match);

        nt.send(transferLeader(3, 1));
        checkLeaderTransferState(lead, StateType.FOLLOWER, 3);
        assertEquals(lead.raftLog.lastIndex(), nt.raft(3).raftLog.lastIndex());
    }

    /** A transferee that needs a snapshot gets it, then takes over. */
    @Test
    void leaderTransferAfterSnapshot() {
        Network nt = electedThree();
        nt.isolate(3);
        nt.send(proposeEmpty(1, 1));
        Raft lead = nt.raft(1);
        nextEnts(lead);
        MemoryStorage s1 = nt.storage(1);
        s1.createSnapshot(lead.raftLog.applied, lead.tracker.confState(), null);
        s1.compact(lead.raftLog.applied);

        nt.recover();
        assertEquals(1, lead.tracker.get(3).match);

        // Node 3 lacks compacted entries: the transfer has to go through a snapshot.
        nt.send(transferLeader(3, 1));
        // A heartbeat answer from node 3 makes sure the leader (re)sends what node 3 is missing.
        nt.send(msg(3, 1, MessageType.MsgHeartbeatResponse).setTerm(lead.term).build());

        checkLeaderTransferState(lead, StateType.FOLLOWER, 3);
        assertEquals(s1.snapshot().getMetadata().getIndex(), nt.storage(3).snapshot().getMetadata().getIndex());
    }

    @Test
    void leaderTransferToSelf() {
        Network nt = electedThree();
        Raft lead = nt.raft(1);
        // A transfer to the leader itself does nothing.
        nt.send(transferLeader(1, 1));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    @Test
    void leaderTransferToNonExistingNode() {
        Network nt = electedThree();
        Raft lead = nt.raft(1);
        nt.send(transferLeader(4, 1));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** A transfer that does not finish within an election timeout is given up. */
    @Test
    void leaderTransferTimeout() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);
        tick(lead, lead.heartbeatTimeout);
        assertEquals(3, lead.leadTransferee);
        tick(lead, lead.electionTimeout - lead.heartbeatTimeout);
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** While a transfer is pending the leader drops proposals: they would be lost with the leadership. */
    @Test
    void leaderTransferIgnoreProposal() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);

        nt.send(proposeEmpty(1, 1));
        assertThrows(ProposalDroppedException.class, () -> lead.step(proposeEmpty(1, 1)));
        assertEquals(1, lead.tracker.get(1).match, "nothing was appended");
        assertEquals(1, lead.raftLog.lastIndex());
    }

    /** A higher-term vote request ends the pending transfer along with the leadership. */
    @Test
    void leaderTransferReceiveHigherTermVote() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        // Transfer to the isolated node, so that the transfer stays pending.
        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);
        nt.send(hup(2));

        checkLeaderTransferState(lead, StateType.FOLLOWER, 2);
    }

    /** Removing the transferee from the group ends the transfer. */
    @Test
    void leaderTransferRemoveNode() {
        Network nt = electedThree();
        nt.ignore(MessageType.MsgTimeoutNow);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);

        lead.applyConfChange(confChange(ConfChangeType.RemoveNode, 3));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** TinyKV's variant: a transfer to a node already removed is ignored. */
    @Test
    void leaderTransferToRemovedNode() {
        Network nt = electedThree();
        Raft lead = nt.raft(1);
        lead.applyConfChange(confChange(ConfChangeType.RemoveNode, 3));

        nt.send(transferLeader(3, 1));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** Leadership can be transferred back to the leader itself while a transfer is pending. */
    @Test
    void leaderTransferBack() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);

        nt.send(transferLeader(1, 1));
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** A second transfer to another node replaces a pending one. */
    @Test
    void leaderTransferSecondTransferToAnotherNode() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);

        nt.send(transferLeader(2, 1));
        checkLeaderTransferState(lead, StateType.FOLLOWER, 2);
    }

    /** A second transfer to the same node does not extend the first one's deadline. */
    @Test
    void leaderTransferSecondTransferToSameNode() {
        Network nt = electedThree();
        nt.isolate(3);
        Raft lead = nt.raft(1);

        nt.send(transferLeader(3, 1));
        assertEquals(3, lead.leadTransferee);
        tick(lead, lead.heartbeatTimeout);

        nt.send(transferLeader(3, 1));
        tick(lead, lead.electionTimeout - lead.heartbeatTimeout);
        checkLeaderTransferState(lead, StateType.LEADER, 1);
    }

    /** A learner cannot take over: the request is ignored. */
    @Test
    void leaderTransferToLearnerIsIgnored() {
        Raft n1 = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage(), b -> b.learners(3));
        Raft n2 = newTestRaft(2, new long[] {1, 2}, 10, 1, new MemoryStorage(), b -> b.learners(3));
        Raft n3 = newTestRaft(3, new long[] {1, 2}, 10, 1, new MemoryStorage(), b -> b.learners(3));
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);

        nt.send(transferLeader(3, 1));
        checkLeaderTransferState(n1, StateType.LEADER, 1);
        assertEquals(StateType.FOLLOWER, n3.state);
    }

    /** A node removed from the group ignores TimeoutNow and cannot win (TinyKV/etcd TestTransferNonMember). */
    @Test
    void transferNonMember() {
        Raft r = newTestRaft(1, new long[] {2, 3, 4}, 5, 1, new MemoryStorage());
        r.step(msg(2, 1, MessageType.MsgTimeoutNow).setTerm(r.term).build());

        r.step(msg(2, 1, MessageType.MsgRequestVoteResponse).setTerm(r.term).build());
        r.step(msg(3, 1, MessageType.MsgRequestVoteResponse).setTerm(r.term).build());
        assertEquals(StateType.FOLLOWER, r.state);
        assertEquals(0, r.term);
    }

    /** With CheckQuorum, followers in lease still vote for a transferee: the leader asked for it. */
    @Test
    void leaderTransferOverridesLease() {
        Network nt = Network.withConfig(b -> b.checkQuorum(true), null, null, null);
        nt.send(hup(1));
        Raft lead = nt.raft(1);
        assertEquals(StateType.LEADER, lead.state);

        nt.send(transferLeader(2, 1));
        checkLeaderTransferState(lead, StateType.FOLLOWER, 2);
        assertEquals(StateType.LEADER, nt.raft(2).state);
        assertEquals(2, nt.raft(3).lead);
    }
}
