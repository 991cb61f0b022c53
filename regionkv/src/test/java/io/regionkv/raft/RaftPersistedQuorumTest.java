package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.newTestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The durability contract of DESIGN.md: the leader may send appends before its own fsync, but counts
 * itself toward a commit quorum only for entries it has persisted, i.e. after {@code advance} of the
 * Ready that carried them.
 */
class RaftPersistedQuorumTest {

    private static long commit(RawNode n) {
        return n.status().hardState().getCommit();
    }

    private static long selfMatch(RawNode n) {
        return n.status().progress().get(n.id()).match();
    }

    @Test
    void singleNodeCommitsOnlyAfterAdvance() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        n.campaign();
        Ready rd = n.ready();
        assertEquals(StateType.LEADER, rd.softState().state());
        assertEquals(1, rd.entries().size());
        assertEquals(List.of(), rd.committedEntries());
        assertEquals(0, commit(n), "the leader's empty entry is not committed before it is persisted");

        RawNodeDriver.persist(s, rd);
        n.advance(rd);
        assertEquals(1, commit(n));
        RawNodeDriver.drain(n, s);

        n.propose(ByteString.copyFromUtf8("x"));
        rd = n.ready();
        assertEquals(List.of("x"), rd.entries().stream().map(e -> e.getData().toStringUtf8()).toList());
        assertEquals(List.of(), rd.committedEntries());
        // Proposals keep arriving while the Ready is being persisted.
        n.propose(ByteString.copyFromUtf8("y"));
        assertEquals(1, commit(n));
        assertEquals(1, selfMatch(n));

        RawNodeDriver.persist(s, rd);
        n.advance(rd);
        // Only what this Ready carried is persisted: "x" commits, "y" waits for the next Ready.
        assertEquals(2, commit(n));
        assertEquals(2, selfMatch(n));
        rd = n.ready();
        assertEquals(List.of("y"), rd.entries().stream().map(e -> e.getData().toStringUtf8()).toList());
        assertEquals(List.of("x"), rd.committedEntries().stream().map(e -> e.getData().toStringUtf8()).toList());
        RawNodeDriver.handle(n, s, rd);
        assertEquals(3, commit(n));
    }

    /** Raft-level: the same rule for a leader stepping messages directly. */
    @Test
    void leaderSelfMatchIsPersistedIndex() {
        Raft r = RaftTestUtil.newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        assertEquals(0, r.tracker.get(1).match);
        r.step(RaftTestUtil.propose(1, 1, "x"));
        assertEquals(0, r.tracker.get(1).match);
        r.step(RaftTestUtil.msg(2, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(2).build());
        assertEquals(0, r.raftLog.committed, "one follower without the leader's own copy is not a quorum");
        RaftTestUtil.persist(r);
        assertEquals(2, r.tracker.get(1).match);
        assertEquals(2, r.raftLog.committed);
    }

    /**
     * Three nodes: the leader's appends leave before its fsync; with one follower's acknowledgement the
     * entry commits only once the leader's own Ready is advanced.
     */
    @Test
    void threeNodeLeaderCountsItselfOnlyAfterAdvance() {
        RawNodeDriver g = RawNodeDriver.group(3);
        RawNode leader = g.node(1);
        leader.campaign();
        g.stabilize();
        assertEquals(StateType.LEADER, leader.raft.state);
        long before = commit(leader);

        leader.propose(ByteString.copyFromUtf8("x"));
        Ready rd = leader.ready();
        assertEquals(1, rd.entries().size());
        long x = rd.entries().get(0).getIndex();
        // The appends may go out at once, before the leader persists.
        List<Message> appends = RaftFixtures.ofType(rd.messages(), MessageType.MsgAppend);
        assertEquals(2, appends.size());
        assertTrue(rd.persistedMessages().isEmpty());
        assertEquals(x - 1, selfMatch(leader));

        // Node 2 persists and acknowledges; node 3 is slow.
        Message to2 = appends.stream().filter(m -> m.getTo() == 2).findFirst().orElseThrow();
        g.deliver(to2);
        RawNode n2 = g.node(2);
        Ready rd2 = n2.ready();
        assertTrue(rd2.messages().isEmpty(), "a follower's acknowledgement waits for its own fsync");
        List<Message> acks = RawNodeDriver.handle(n2, g.storage(2), rd2);
        assertEquals(1, acks.size());
        g.deliver(acks.get(0));
        assertEquals(x, leader.status().progress().get(2L).match());
        assertEquals(x - 1, selfMatch(leader));
        assertEquals(before, commit(leader), "leader (unpersisted) + node 2 must not count as two copies");

        // The leader's fsync completes.
        RawNodeDriver.persist(g.storage(1), rd);
        leader.advance(rd);
        assertEquals(x, selfMatch(leader));
        assertEquals(x, commit(leader));
    }

    /** Two followers' copies are a quorum of three on their own: the leader's fsync is not needed for that. */
    @Test
    void followersAloneCanFormTheQuorum() {
        RawNodeDriver g = RawNodeDriver.group(3);
        RawNode leader = g.node(1);
        leader.campaign();
        g.stabilize();

        leader.propose(ByteString.copyFromUtf8("x"));
        Ready rd = leader.ready();
        long x = rd.entries().get(0).getIndex();
        for (Message m : rd.messages()) {
            g.deliver(m);
        }
        for (long id = 2; id <= 3; id++) {
            RawNode f = g.node(id);
            for (Message ack : RawNodeDriver.handle(f, g.storage(id), f.ready())) {
                g.deliver(ack);
            }
        }
        assertEquals(x - 1, selfMatch(leader));
        assertEquals(x, commit(leader), "durable on two of three stores");
        assertFalse(leader.hasReady(), "one Ready in flight: the next waits for advance");

        RawNodeDriver.persist(g.storage(1), rd);
        leader.advance(rd);
        Ready next = leader.ready();
        assertEquals(List.of(x), next.committedEntries().stream().map(Entry::getIndex).toList());
    }
}
