package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.ofType;
import static io.regionkv.raft.RaftFixtures.snapshot;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.persist;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node whose store discarded its log after an OS crash (RawNode.fenceVotesBelow): it votes as if it still
 * had the lost log, never campaigns, and while empty asks the leader for a snapshot, which the leader sends
 * although it believed the node matched its log.
 */
class RaftVoteFenceTest {

    @Test
    void aFencedNodeVotesOnlyForACandidateAsUpToDateAsItsLostLog() {
        Raft r = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        r.fenceVotesBelow(10, 2);

        r.step(msg(2, 3, MessageType.MsgRequestVote).setTerm(3).setIndex(9).setLogTerm(2).build());
        List<Message> behind = readMessages(r);
        assertEquals(1, behind.size());
        assertTrue(behind.get(0).getReject(), "candidate 2 lacks entry 10 of the lost log: " + behind);

        r.step(msg(1, 3, MessageType.MsgRequestVote).setTerm(4).setIndex(10).setLogTerm(2).build());
        List<Message> upToDate = readMessages(r);
        assertEquals(1, upToDate.size());
        assertFalse(upToDate.get(0).getReject(), "candidate 1 holds the lost log: " + upToDate);
    }

    @Test
    void aFencedNodeDoesNotCampaign() {
        Raft r = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        r.fenceVotesBelow(10, 2);
        r.step(hup(1));
        assertEquals(StateType.FOLLOWER, r.state);
        assertTrue(readMessages(r).isEmpty());
    }

    @Test
    void anEmptyFencedFollowerAsksForASnapshotAndTheLeaderSendsOneThoughItBelievedTheLogMatched() {
        Raft leader = leaderWhoseFollowerMatched11();
        Progress pr = leader.tracker.get(2);

        Raft follower = newTestRaft(2, new long[] {1, 2}, 10, 1, new MemoryStorage());
        follower.fenceVotesBelow(11, 11);
        // The leader's heartbeat carries a commit index the empty log cannot take: it asks instead.
        follower.step(msg(1, 2, MessageType.MsgHeartbeat).setTerm(leader.term).setCommit(11).build());
        List<Message> asks = ofType(readMessages(follower), MessageType.MsgAppendResponse);
        assertEquals(1, asks.size());
        assertTrue(asks.get(0).getReject() && asks.get(0).getRequestSnapshot(), asks.toString());

        leader.step(asks.get(0));
        List<Message> sent = ofType(readMessages(leader), MessageType.MsgSnapshot);
        assertEquals(1, sent.size(), "the leader sends a snapshot on request");
        assertEquals(11, sent.get(0).getSnapshot().getMetadata().getIndex());
        assertEquals(ProgressState.SNAPSHOT, pr.state);

        // Asked again while it is under way: nothing more is sent.
        leader.step(asks.get(0));
        assertTrue(ofType(readMessages(leader), MessageType.MsgSnapshot).isEmpty());
    }

    /**
     * A snapshot whose transfer failed is sent again when the follower next asks, with no new proposal to
     * trigger it: CI once saw a rebooted store of an idle region wait for its snapshot forever.
     */
    @Test
    void aFailedSnapshotIsSentAgainAtTheFollowersNextRequest() {
        Raft leader = leaderWhoseFollowerMatched11();
        Progress pr = leader.tracker.get(2);

        Message ask = msg(2, 1, MessageType.MsgAppendResponse).setTerm(leader.term).setReject(true)
                .setRequestSnapshot(true).build();
        leader.step(ask);
        assertEquals(1, ofType(readMessages(leader), MessageType.MsgSnapshot).size());

        // The transfer failed: the leader falls back to probing and waits for an answer.
        leader.step(msg(2, 1, MessageType.MsgSnapStatus).setTerm(leader.term).setReject(true).build());
        assertEquals(ProgressState.PROBE, pr.state);
        assertEquals(0, pr.match);

        // The follower, still empty, answers the next heartbeat with another request: the snapshot goes again.
        leader.step(ask);
        List<Message> again = ofType(readMessages(leader), MessageType.MsgSnapshot);
        assertEquals(1, again.size(), "the leader sends the snapshot again on the next request");
        assertEquals(ProgressState.SNAPSHOT, pr.state);
    }

    /**
     * Node 1 leading nodes 1 and 2 from a snapshot at index 11, believing node 2 replicates and matched 11
     * (what the follower acknowledged before it lost its log).
     */
    private static Raft leaderWhoseFollowerMatched11() {
        Raft leader = newTestRaft(1, new long[] {1, 2}, 10, 1, new MemoryStorage());
        assertTrue(leader.restore(snapshot(11, 11, 1, 2)));
        persist(leader);
        leader.becomeCandidate();
        leader.becomeLeader();
        readMessages(leader);
        Progress pr = leader.tracker.get(2);
        pr.maybeUpdate(11);
        pr.becomeReplicate();
        return leader;
    }
}
