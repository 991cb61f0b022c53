package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.tick;
import static io.regionkv.raft.RaftTestUtil.beat;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PreVote: a node that cannot win does not raise its term and so does not disrupt a working leader (etcd). */
class RaftPreVoteTest {

    private static final Consumer<Config.Builder> PRE_VOTE = b -> b.preVote(true);

    /** Three nodes with pre-vote, all having started at term 1 as followers, with node 1 elected at term 2. */
    private static Network electedWithPreVote(Consumer<Config.Builder> cfg) {
        Raft n1 = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n2 = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        Raft n3 = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), cfg);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(2, n1.term);
        return nt;
    }

    /**
     * An isolated node keeps timing out. Without pre-vote each timeout raises its term (and its return
     * would depose the leader); with pre-vote its term stays, and on rejoining it simply follows again.
     */
    @ParameterizedTest(name = "preVote={0}")
    @ValueSource(booleans = {true, false})
    void partitionedNodeRejoiningDoesNotDisruptLeader(boolean preVote) {
        Network nt = electedWithPreVote(b -> b.preVote(preVote));
        Raft n1 = nt.raft(1);
        Raft n3 = nt.raft(3);

        nt.isolate(3);
        tick(n3, 6 * n3.electionTimeout);
        // What node 3 sent while isolated is lost in the partition.
        readMessages(n3);
        if (!preVote) {
            assertTrue(n3.term > 2, "without pre-vote the isolated node's term grows: " + n3.term);
            return;
        }
        assertEquals(2, n3.term, "a pre-candidate does not raise its term");
        assertEquals(StateType.PRE_CANDIDATE, n3.state);

        nt.recover();
        nt.send(beat(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(2, n1.term);
        assertEquals(StateType.FOLLOWER, n3.state);
        assertEquals(1, n3.lead);
        assertEquals(2, n3.term);

        nt.send(propose(1, 1, "after"));
        assertEquals(n1.raftLog.committed, n3.raftLog.committed);
    }

    /** A node with a stale log asks for pre-votes and loses; nobody's term changes. */
    @Test
    void preVoteWithStaleLogLoses() {
        Network nt = electedWithPreVote(PRE_VOTE);
        Raft n1 = nt.raft(1);
        Raft n2 = nt.raft(2);
        Raft n3 = nt.raft(3);

        nt.isolate(3);
        nt.send(propose(1, 1, "a"), propose(1, 1, "b"));
        nt.recover();

        // Node 3 times out before hearing from the leader again.
        nt.send(hup(3));
        assertEquals(StateType.FOLLOWER, n3.state, "the pre-candidate lost");
        assertEquals(2, n3.term);
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(2, n1.term);
        assertEquals(2, n2.term);

        // The leader's next heartbeat brings node 3 back and catches it up.
        nt.send(beat(1));
        assertEquals(1, n3.lead);
        assertEquals(n1.raftLog.allEntries(), n3.raftLog.allEntries());
        assertEquals(n1.raftLog.committed, n3.raftLog.committed);
    }

    /** After a split pre-vote round both become candidates; the next round elects one (etcd TestPreVoteWithSplitVote). */
    @Test
    void preVoteWithSplitVote() {
        Network nt = electedWithPreVote(PRE_VOTE);
        Raft n2 = nt.raft(2);
        Raft n3 = nt.raft(3);

        // The leader goes down; both followers time out at once.
        nt.isolate(1);
        nt.send(hup(2), hup(3));
        assertEquals(3, n2.term);
        assertEquals(3, n3.term);
        assertEquals(StateType.CANDIDATE, n2.state);
        assertEquals(StateType.CANDIDATE, n3.state);

        // Node 2 times out first in the next round.
        nt.send(hup(2));
        assertEquals(4, n2.term);
        assertEquals(4, n3.term);
        assertEquals(StateType.LEADER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);
    }

    /**
     * A pre-candidate cut off during two elections has a smaller term; it learns the term from the
     * rejections and the group still elects a leader (etcd TestNodeWithSmallerTermCanCompleteElection).
     */
    @Test
    void nodeWithSmallerTermCanCompleteElection() {
        Raft n1 = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), PRE_VOTE);
        Raft n2 = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), PRE_VOTE);
        Raft n3 = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), PRE_VOTE);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.cut(1, 3);
        nt.cut(2, 3);

        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        nt.send(hup(3));
        assertEquals(StateType.PRE_CANDIDATE, n3.state);
        nt.send(hup(2));

        assertEquals(3, n1.term);
        assertEquals(3, n2.term);
        assertEquals(1, n3.term);
        assertEquals(StateType.FOLLOWER, n1.state);
        assertEquals(StateType.LEADER, n2.state);
        assertEquals(StateType.PRE_CANDIDATE, n3.state);

        // Heal, then node 2 (the leader) crashes; 3 and then 1 time out.
        nt.recover();
        nt.isolate(2);
        nt.send(hup(3));
        assertEquals(3, n3.term, "node 3 learnt the current term from the rejection");
        nt.send(hup(1));
        assertTrue(n1.state == StateType.LEADER || n3.state == StateType.LEADER,
                "no leader: n1 " + n1.state + ", n3 " + n3.state);
    }

    /** A pre-candidate that hears from the current leader goes back to following it. */
    @Test
    void preCandidateFollowsLeaderItHearsFrom() {
        Network nt = electedWithPreVote(PRE_VOTE);
        Raft n2 = nt.raft(2);
        nt.isolate(2);
        nt.send(hup(2));
        assertEquals(StateType.PRE_CANDIDATE, n2.state);
        nt.recover();
        nt.send(beat(1));
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(1, n2.lead);
        assertEquals(2, n2.term);
    }
}
