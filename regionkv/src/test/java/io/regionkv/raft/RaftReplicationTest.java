package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.ltoa;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.nextEnts;
import static io.regionkv.raft.RaftTestUtil.persist;
import static io.regionkv.raft.RaftTestUtil.propose;
import static io.regionkv.raft.RaftTestUtil.proposeEmpty;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static io.regionkv.raft.RaftTestUtil.storageWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log replication cases of TinyKV's raft_test (stage 2AB). */
class RaftReplicationTest {

    private static final long[] THREE = {1, 2, 3};
    private static final Object NOP = Network.NOP;

    /** The leader's own progress follows its log as its entries are persisted. */
    @Test
    void progressLeader() {
        Raft r = newTestRaft(1, new long[] {1, 2}, 5, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        persist(r);
        Message prop = propose(1, 1, "foo");
        for (int i = 0; i < 5; i++) {
            Progress pr = r.tracker.get(r.id);
            assertEquals(i + 1, pr.match, "match before proposal " + i);
            assertEquals(pr.match + 1, pr.next, "next before proposal " + i);
            r.step(prop);
            // Appended but not persisted: the leader does not count it yet.
            assertEquals(i + 1, pr.match);
            persist(r);
        }
    }

    @Test
    void logReplication() {
        record Case(Network network, List<Message> msgs, long wcommitted) {}
        List<Case> cases = List.of(
                new Case(Network.of(null, null, null), List.of(propose(1, 1, "somedata")), 2),
                new Case(Network.of(null, null, null),
                        List.of(propose(1, 1, "somedata"), hup(2), propose(1, 2, "somedata")), 4));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            c.network.send(hup(1));
            for (Message m : c.msgs) {
                c.network.send(m);
            }
            for (Raft sm : c.network.peers().values()) {
                assertEquals(c.wcommitted, sm.raftLog.committed, "#" + i + "." + sm.id);
                List<Entry> ents = new ArrayList<>();
                for (Entry e : nextEnts(sm)) {
                    if (!e.getData().isEmpty()) {
                        ents.add(e);
                    }
                }
                List<Message> props = c.msgs.stream().filter(m -> m.getMsgType() == MessageType.MsgPropose).toList();
                assertEquals(props.size(), ents.size(), "#" + i + "." + sm.id);
                for (int k = 0; k < props.size(); k++) {
                    assertEquals(props.get(k).getEntries(0).getData(), ents.get(k).getData(), "#" + i + "." + sm.id);
                }
            }
        }
    }

    @Test
    void singleNodeCommit() {
        Network tt = Network.of((Object) null);
        tt.send(hup(1));
        tt.send(propose(1, 1, "some data"));
        tt.send(propose(1, 1, "some data"));
        assertEquals(3, tt.raft(1).raftLog.committed);
    }

    /** Entries of an old term get committed when the new leader commits its own empty entry. */
    @Test
    void commitWithoutNewTermEntry() {
        Network tt = Network.of(null, null, null, null, null);
        tt.send(hup(1));

        // 1 cannot reach 3, 4, 5.
        tt.cut(1, 3);
        tt.cut(1, 4);
        tt.cut(1, 5);
        tt.send(propose(1, 1, "some data"));
        tt.send(propose(1, 1, "some data"));
        Raft sm = tt.raft(1);
        assertEquals(1, sm.raftLog.committed);

        tt.recover();
        // 2 is elected in term 2; committing its empty entry commits everything before it.
        tt.send(hup(2));
        assertEquals(4, sm.raftLog.committed);
    }

    /**
     * A follower that never got the append carrying the new commit index learns it from the next
     * heartbeat (capped at what it is known to hold).
     */
    @Test
    void commitWithHeartbeat() {
        Network tt = Network.of(null, null, null);
        tt.send(hup(1));
        // Drop the commit-only appends the leader sends after an entry is committed.
        tt.msgHook = m -> !(m.getMsgType() == MessageType.MsgAppend && m.getEntriesCount() == 0);
        tt.send(propose(1, 1, "some data"));
        Raft lead = tt.raft(1);
        Raft follower = tt.raft(2);
        assertEquals(2, lead.raftLog.committed);
        assertEquals(1, follower.raftLog.committed);

        tt.msgHook = null;
        tt.send(RaftTestUtil.beat(1));
        assertEquals(2, follower.raftLog.committed);
        assertEquals(2, tt.raft(3).raftLog.committed);
    }

    /** A message from a deposed leader's older term is ignored; the log stays consistent. */
    @Test
    void oldMessages() {
        Network tt = Network.of(null, null, null);
        // 1 becomes leader at term 3.
        tt.send(hup(1));
        tt.send(hup(2));
        tt.send(hup(1));
        // An old leader of term 2 tries to make progress: ignored.
        tt.send(msg(2, 1, MessageType.MsgAppend).setTerm(2).addEntries(entry(3, 2)).build());
        // Commit a new entry.
        tt.send(propose(1, 1, "somedata"));

        String want = ltoa(4, 0, entry(1, 1), entry(2, 2), entry(3, 3), entry(4, 3, "somedata"));
        for (Raft sm : tt.peers().values()) {
            assertEquals(want, ltoa(sm.raftLog), "node " + sm.id);
        }
    }

    /** A proposal commits only when the leader can reach a majority; otherwise nothing is appended. */
    @Test
    void proposal() {
        record Case(Network network, boolean success) {}
        List<Case> cases = List.of(
                new Case(Network.of(null, null, null), true),
                new Case(Network.of(null, null, NOP), true),
                new Case(Network.of(null, NOP, NOP), false),
                new Case(Network.of(null, NOP, NOP, null), false),
                new Case(Network.of(null, NOP, NOP, null, null), true));
        for (int j = 0; j < cases.size(); j++) {
            Case c = cases.get(j);
            c.network.send(hup(1));
            c.network.send(propose(1, 1, "somedata"));
            String want = c.success ? ltoa(2, 0, entry(1, 1), entry(2, 1, "somedata")) : ltoa(0, 0);
            for (Raft sm : c.network.peers().values()) {
                assertEquals(want, ltoa(sm.raftLog), "#" + j + " node " + sm.id);
            }
            assertEquals(1, c.network.raft(1).term, "#" + j);
        }
    }

    /** Without a leader a proposal is refused with a typed error and changes nothing. */
    @Test
    void proposalWithoutLeaderIsDropped() {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        assertThrows(ProposalDroppedException.class, () -> r.step(propose(1, 1, "x")));
        assertEquals(0, r.raftLog.lastIndex());
        r.step(hup(1));
        assertEquals(StateType.CANDIDATE, r.state);
        assertThrows(ProposalDroppedException.class, () -> r.step(propose(1, 1, "x")));
        assertEquals(0, r.raftLog.lastIndex());
    }

    /**
     * The append rules: reject when the previous entry does not match; truncate a conflicting tail;
     * commit up to min(leader commit, last new entry).
     */
    @Test
    void handleMsgAppend() {
        record Case(Message m, long wIndex, long wCommit, boolean wReject) {}
        List<Case> cases = List.of(
                // previous entry mismatch / does not exist
                new Case(app(3, 2, 3), 2, 0, true),
                new Case(app(3, 3, 3), 2, 0, true),
                // truncate and append
                new Case(app(1, 1, 1), 2, 1, false),
                new Case(app(0, 0, 1, entry(1, 2)), 1, 1, false),
                new Case(app(2, 2, 3, entry(3, 2), entry(4, 2)), 4, 3, false),
                new Case(app(2, 2, 4, entry(3, 2)), 3, 3, false),
                new Case(app(1, 1, 4, entry(2, 2)), 2, 2, false),
                // commit up to the last new entry
                new Case(app(1, 1, 3), 2, 1, false),
                new Case(app(1, 1, 3, entry(2, 2)), 2, 2, false),
                new Case(app(2, 2, 3), 2, 2, false),
                new Case(app(2, 2, 4), 2, 2, false));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft sm = newTestRaft(1, new long[] {1}, 10, 1, storageWith(entry(1, 1), entry(2, 2)));
            sm.becomeFollower(2, Raft.NONE);
            sm.handleAppendEntries(c.m);
            assertEquals(c.wIndex, sm.raftLog.lastIndex(), "#" + i);
            assertEquals(c.wCommit, sm.raftLog.committed, "#" + i);
            List<Message> msgs = readMessages(sm);
            assertEquals(1, msgs.size(), "#" + i);
            assertEquals(c.wReject, msgs.get(0).getReject(), "#" + i);
        }
    }

    private static Message app(long logTerm, long index, long commit, Entry... ents) {
        return msg(2, 1, MessageType.MsgAppend).setTerm(2).setLogTerm(logTerm).setIndex(index).setCommit(commit)
                .addAllEntries(List.of(ents)).build();
    }

    /**
     * A deposed leader's log does not get committed by heartbeats of the new leader: they never carry a
     * commit index beyond what the follower is known to hold.
     */
    @Test
    void heartbeatUpdateCommit() {
        int[][] cases = {{1, 1}, {5, 3}, {5, 10}};
        for (int i = 0; i < cases.length; i++) {
            int failCnt = cases[i][0];
            int successCnt = cases[i][1];
            Raft sm1 = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            Raft sm2 = newTestRaft(2, THREE, 10, 1, new MemoryStorage());
            Raft sm3 = newTestRaft(3, THREE, 10, 1, new MemoryStorage());
            Network nt = Network.of(sm1, sm2, sm3);
            nt.send(hup(1));
            nt.isolate(1);
            // Proposals to the old, isolated leader do not commit.
            for (int k = 0; k < failCnt; k++) {
                nt.send(proposeEmpty(1, 1));
            }
            assertTrue(sm1.raftLog.committed <= 1, "#" + i + ": unexpected commit " + sm1.raftLog.committed);

            // Proposals to the rest of the cluster do.
            nt.send(hup(2));
            for (int k = 0; k < successCnt; k++) {
                nt.send(proposeEmpty(2, 2));
            }
            long wCommit = 2 + successCnt; // two elections
            assertEquals(wCommit, sm2.raftLog.committed, "#" + i);
            assertEquals(wCommit, sm3.raftLog.committed, "#" + i);

            nt.recover();
            nt.ignore(MessageType.MsgAppend);
            nt.send(RaftTestUtil.beat(2));
            assertTrue(sm1.raftLog.committed <= 1, "#" + i + ": sm1 commit " + sm1.raftLog.committed);
        }
    }

    /** Replicating to a follower in replicate state moves its next index past what was sent. */
    @Test
    void leaderIncreaseNext() {
        List<Entry> previous = List.of(entry(1, 1), entry(2, 1), entry(3, 1));
        // previous entries + empty entry of the new term + the proposal + 1
        long wnext = previous.size() + 1 + 1 + 1;
        MemoryStorage storage = new MemoryStorage();
        storage.append(previous);
        Raft sm = newTestRaft(1, new long[] {1, 2}, 10, 1, storage);
        Network nt = Network.of(sm, null, null);
        nt.send(hup(1));
        nt.send(propose(1, 1, "somedata"));
        assertEquals(wnext, sm.tracker.get(2).next);
    }
}
