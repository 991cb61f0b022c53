package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.confChange;
import static io.regionkv.raft.RaftFixtures.proposeConfChange;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.persist;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Config#lazyCommitBroadcast()}: a commit index moved by an append answer reaches the followers with
 * the next append or heartbeat, not with empty appends of its own; a committed conf change still goes out
 * at once. Off, every follower gets an append carrying the new commit index (etcd's behaviour).
 */
class RaftLazyCommitBroadcastTest {

    private static final long[] THREE = {1, 2, 3};

    /** A leader of {1, 2, 3} whose first entry (its empty one) is committed, with nothing left to send. */
    private static Raft leader(boolean lazy) {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage(), b -> b.lazyCommitBroadcast(lazy));
        r.becomeCandidate();
        r.becomeLeader();
        persist(r);
        ack(r, 2);
        ack(r, 3);
        persist(r);
        readMessages(r);
        return r;
    }

    private static void ack(Raft r, long from) {
        r.step(msg(from, 1, MessageType.MsgAppendResponse).setIndex(r.raftLog.lastIndex()).setTerm(r.term).build());
    }

    private static List<Message> appends(List<Message> msgs) {
        return msgs.stream().filter(m -> m.getMsgType() == MessageType.MsgAppend).toList();
    }

    @Test
    void aCommitMovedByAnAnswerWaitsForTheNextAppend() {
        Raft r = leader(true);
        r.step(propose(1, 1, "put"));
        persist(r);
        assertEquals(2, appends(readMessages(r)).size(), "the entry goes to both followers");
        long entry = r.raftLog.lastIndex();

        ack(r, 2);
        assertEquals(entry, r.raftLog.committed, "leader and node 2 are a quorum");
        assertEquals(List.of(), appends(readMessages(r)), "no append only to carry the commit index");

        r.step(propose(1, 1, "next"));
        persist(r);
        List<Message> next = appends(readMessages(r));
        assertEquals(2, next.size());
        for (Message m : next) {
            assertEquals(entry, m.getCommit(), "the next append carries the commit index to " + m.getTo());
        }
    }

    @Test
    void anIdleFollowerLearnsTheCommitFromTheNextHeartbeat() {
        Raft r = leader(true);
        r.step(propose(1, 1, "put"));
        persist(r);
        readMessages(r);
        ack(r, 2);
        ack(r, 3);
        long entry = r.raftLog.lastIndex();
        assertEquals(entry, r.raftLog.committed);
        assertEquals(List.of(), appends(readMessages(r)));

        r.step(msg(1, 1, MessageType.MsgBeat).build());
        List<Message> beats = readMessages(r).stream()
                .filter(m -> m.getMsgType() == MessageType.MsgHeartbeat).toList();
        assertEquals(2, beats.size());
        for (Message m : beats) {
            assertEquals(entry, m.getCommit(), "heartbeat to " + m.getTo() + " carries the commit index");
        }
    }

    @Test
    void aCommittedConfChangeIsBroadcastAtOnce() {
        Raft r = leader(true);
        r.step(proposeConfChange(1, confChange(ConfChangeType.AddLearnerNode, 4)));
        persist(r);
        readMessages(r);
        long cc = r.raftLog.lastIndex();

        ack(r, 2);
        assertEquals(cc, r.raftLog.committed);
        List<Message> sent = appends(readMessages(r));
        assertEquals(2, sent.size(), "both followers learn that the conf change committed");
        assertTrue(sent.stream().allMatch(m -> m.getCommit() == cc));
    }

    @Test
    void aMarkedEntryIsBroadcastAtOnceAndTheNextOneIsLazyAgain() {
        Raft r = leader(true);
        r.step(propose(1, 1, "split"));
        persist(r);
        readMessages(r);
        long split = r.raftLog.lastIndex();
        r.broadcastCommitOf(split);

        ack(r, 2);
        assertEquals(split, r.raftLog.committed);
        List<Message> sent = appends(readMessages(r));
        assertEquals(2, sent.size(), "both followers learn that the marked entry committed");
        assertTrue(sent.stream().allMatch(m -> m.getCommit() == split));

        r.raftLog.appliedTo(split);
        r.step(propose(1, 1, "put"));
        persist(r);
        readMessages(r);
        ack(r, 2);
        assertEquals(split + 1, r.raftLog.committed);
        assertEquals(List.of(), appends(readMessages(r)), "applied, the mark no longer counts");
    }

    @Test
    void offEveryFollowerGetsTheNewCommitAtOnce() {
        Raft r = leader(false);
        r.step(propose(1, 1, "put"));
        persist(r);
        readMessages(r);
        long entry = r.raftLog.lastIndex();

        ack(r, 2);
        List<Message> sent = appends(readMessages(r));
        assertEquals(2, sent.size());
        assertTrue(sent.stream().allMatch(m -> m.getCommit() == entry));
    }
}
