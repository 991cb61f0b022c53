package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.confChange;
import static io.regionkv.raft.RaftFixtures.setRandomizedElectionTimeout;
import static io.regionkv.raft.RaftFixtures.tick;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CheckQuorum: a leader that has not heard from a quorum for an election timeout steps down, and
 * followers that heard from a leader within the timeout (the lease) ignore vote requests (etcd).
 */
class RaftCheckQuorumTest {

    private static final Consumer<Config.Builder> CHECK_QUORUM = b -> b.checkQuorum(true);

    private static Raft checkQuorumRaft(long id, long... peers) {
        return newTestRaft(id, peers, 10, 1, new MemoryStorage(), CHECK_QUORUM);
    }

    @Test
    void leaderStepdownWhenQuorumActive() {
        Raft sm = newTestRaft(1, new long[] {1, 2, 3}, 5, 1, new MemoryStorage(), CHECK_QUORUM);
        sm.becomeCandidate();
        sm.becomeLeader();
        for (int i = 0; i < sm.electionTimeout + 1; i++) {
            sm.step(msg(2, 1, MessageType.MsgHeartbeatResponse).setTerm(sm.term).build());
            sm.tick();
        }
        assertEquals(StateType.LEADER, sm.state);
    }

    @Test
    void leaderStepdownWhenQuorumLost() {
        Raft sm = newTestRaft(1, new long[] {1, 2, 3}, 5, 1, new MemoryStorage(), CHECK_QUORUM);
        sm.becomeCandidate();
        sm.becomeLeader();
        tick(sm, sm.electionTimeout + 1);
        assertEquals(StateType.FOLLOWER, sm.state);
        assertEquals(Raft.NONE, sm.lead);
        assertEquals(1, sm.term, "stepping down does not start a new term");
    }

    /** Without CheckQuorum an isolated leader keeps believing it leads; with it, it steps down. */
    @ParameterizedTest(name = "checkQuorum={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void isolatedLeaderStepsDown(boolean checkQuorum) {
        Network nt = Network.withConfig(b -> b.checkQuorum(checkQuorum), null, null, null);
        nt.send(hup(1));
        Raft lead = nt.raft(1);
        assertEquals(StateType.LEADER, lead.state);

        nt.isolate(1);
        // Ticks deliver nothing here; one election timeout passes without answers (the first check
        // may still see the answers to the election's appends).
        tick(lead, 2 * lead.electionTimeout);
        assertEquals(checkQuorum ? StateType.FOLLOWER : StateType.LEADER, lead.state);
        if (checkQuorum) {
            // A former leader without a leader drops proposals instead of appending what cannot commit.
            assertEquals(Raft.NONE, lead.lead);
            org.junit.jupiter.api.Assertions.assertThrows(ProposalDroppedException.class,
                    () -> lead.step(propose(1, 1, "x")));
        }
    }

    /** A follower in lease ignores a vote request of a higher term; a transfer's request overrides the lease. */
    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"MsgRequestVote", "MsgRequestPreVote"})
    void followerInLeaseIgnoresDisruptiveVote(MessageType voteType) {
        Raft r = checkQuorumRaft(1, 1, 2, 3);
        r.becomeFollower(1, 2);
        r.step(msg(2, 1, MessageType.MsgHeartbeat).setTerm(1).build());
        readMessages(r);
        assertEquals(2, r.lead);

        Message vote = msg(3, 1, voteType).setTerm(2).setLogTerm(1).setIndex(10).build();
        r.step(vote);
        assertEquals(List.of(), readMessages(r), "a follower in lease does not even answer");
        assertEquals(1, r.term);
        assertEquals(2, r.lead);

        // A request on the leader's behalf (leadership transfer) is answered despite the lease.
        r.step(vote.toBuilder().setContext(Raft.CAMPAIGN_TRANSFER).build());
        List<Message> msgs = readMessages(r);
        assertEquals(1, msgs.size());
        assertFalse(msgs.get(0).getReject());

        // Once the lease is over (an election timeout without the leader), votes are considered again.
        Raft r2 = checkQuorumRaft(1, 1, 2, 3);
        r2.becomeFollower(1, 2);
        setRandomizedElectionTimeout(r2, 2 * r2.electionTimeout);
        tick(r2, r2.electionTimeout);
        r2.step(vote);
        msgs = readMessages(r2);
        assertEquals(1, msgs.size());
        assertFalse(msgs.get(0).getReject());
    }

    /** etcd TestLeaderSupersedingWithCheckQuorum: a follower grants a vote only once its lease has run out. */
    @Test
    void leaderSupersedingWithCheckQuorum() {
        Raft a = checkQuorumRaft(1, 1, 2, 3);
        Raft b = checkQuorumRaft(2, 1, 2, 3);
        Raft c = checkQuorumRaft(3, 1, 2, 3);
        Network nt = Network.of(a, b, c);
        setRandomizedElectionTimeout(b, b.electionTimeout + 1);
        tick(b, b.electionTimeout);

        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.FOLLOWER, c.state);

        nt.send(hup(3));
        // b rejected c's vote request: it heard from the leader within the election timeout.
        assertEquals(StateType.CANDIDATE, c.state);

        // b's lease runs out.
        tick(b, b.electionTimeout);
        nt.send(hup(3));
        assertEquals(StateType.LEADER, c.state);
    }

    /** etcd TestLeaderElectionWithCheckQuorum. */
    @Test
    void leaderElectionWithCheckQuorum() {
        Raft a = checkQuorumRaft(1, 1, 2, 3);
        Raft b = checkQuorumRaft(2, 1, 2, 3);
        Raft c = checkQuorumRaft(3, 1, 2, 3);
        Network nt = Network.of(a, b, c);
        setRandomizedElectionTimeout(a, a.electionTimeout + 1);
        setRandomizedElectionTimeout(b, b.electionTimeout + 2);

        // Right after creation nobody is in a lease: votes are cast.
        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.FOLLOWER, c.state);

        // Becoming follower or leader re-drew the timeouts; fix them again above the election timeout.
        setRandomizedElectionTimeout(a, a.electionTimeout + 1);
        setRandomizedElectionTimeout(b, b.electionTimeout + 2);
        tick(a, a.electionTimeout);
        tick(b, b.electionTimeout);
        nt.send(hup(3));

        assertEquals(StateType.FOLLOWER, a.state);
        assertEquals(StateType.LEADER, c.state);
    }

    /**
     * etcd TestFreeStuckCandidateWithCheckQuorum: a candidate whose term ran ahead while it was cut off
     * cannot win (the others are in lease), but its answer to a stale heartbeat makes the leader step
     * down, after which it can be elected.
     */
    @Test
    void freeStuckCandidateWithCheckQuorum() {
        Raft a = checkQuorumRaft(1, 1, 2, 3);
        Raft b = checkQuorumRaft(2, 1, 2, 3);
        Raft c = checkQuorumRaft(3, 1, 2, 3);
        Network nt = Network.of(a, b, c);
        setRandomizedElectionTimeout(b, b.electionTimeout + 1);
        tick(b, b.electionTimeout);

        nt.send(hup(1));
        nt.isolate(1);
        nt.send(hup(3));
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(StateType.CANDIDATE, c.state);
        assertEquals(b.term + 1, c.term);

        // Campaign again: still stuck, one term further.
        nt.send(hup(3));
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(StateType.CANDIDATE, c.state);
        assertEquals(b.term + 2, c.term);

        nt.recover();
        nt.send(msg(1, 3, MessageType.MsgHeartbeat).setTerm(a.term).build());
        // The stale heartbeat's answer carries c's term: the leader learns it and steps down.
        assertEquals(StateType.FOLLOWER, a.state);
        assertEquals(a.term, c.term);

        // Campaign again: this time c wins.
        nt.send(hup(3));
        assertEquals(StateType.LEADER, c.state);
    }

    /** etcd TestNonPromotableVoterWithCheckQuorum: a node outside the voters follows without campaigning. */
    @Test
    void nonPromotableVoterWithCheckQuorum() {
        Raft a = checkQuorumRaft(1, 1, 2);
        Raft b = checkQuorumRaft(2, 1);
        Network nt = Network.of(a, b);
        setRandomizedElectionTimeout(b, b.electionTimeout + 1);
        // b is not among its own voters.
        b.applyConfChange(confChange(ConfChangeType.RemoveNode, 2));
        assertFalse(b.promotable());

        tick(b, b.electionTimeout);
        nt.send(hup(1));

        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(1, b.lead);
    }

    /**
     * etcd TestDisruptiveFollowerPreVote: with PreVote and CheckQuorum, a follower that was isolated and
     * fell behind neither raises its term nor forces the leader down when it comes back.
     */
    @Test
    void disruptiveFollowerPreVote() {
        Consumer<Config.Builder> cfg = b -> b.checkQuorum(true).preVote(true);
        Raft n1 = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n2 = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n3 = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);

        nt.isolate(3);
        nt.send(propose(1, 1, "somedata"), propose(1, 1, "somedata"), propose(1, 1, "somedata"));
        nt.recover();
        nt.send(hup(3));

        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.PRE_CANDIDATE, n3.state);
        assertEquals(2, n1.term);
        assertEquals(2, n2.term);
        assertEquals(2, n3.term);

        // A delayed heartbeat of the leader does not force it to step down: it brings node 3 back.
        nt.send(msg(1, 3, MessageType.MsgHeartbeat).setTerm(n1.term).build());
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n3.state);
        assertEquals(1, n3.lead);
    }

    /** etcd TestPreVoteWithCheckQuorum: a follower in lease ignores one pre-candidate, yet the group can still elect. */
    @Test
    void preVoteWithCheckQuorum() {
        Consumer<Config.Builder> cfg = b -> b.checkQuorum(true).preVote(true);
        Raft n1 = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n2 = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n3 = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));
        nt.isolate(1);
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);

        // Node 2 is in lease and ignores node 3's pre-vote; node 3, a pre-candidate, is not and grants node 2's.
        nt.send(hup(3));
        assertEquals(StateType.PRE_CANDIDATE, n3.state);
        nt.send(hup(2));
        assertEquals(StateType.LEADER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);
    }
}
