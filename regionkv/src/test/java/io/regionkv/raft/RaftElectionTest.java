package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.entsWithConfig;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.idsBySize;
import static io.regionkv.raft.RaftTestUtil.ltoa;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static io.regionkv.raft.RaftTestUtil.storageWith;
import static io.regionkv.raft.RaftTestUtil.votedWithConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Leader election cases of TinyKV's raft_test (stage 2AA, plus the election-related 2AB ones). */
class RaftElectionTest {

    private static final long[] THREE = {1, 2, 3};
    private static final Object NOP = Network.NOP;

    @Test
    void leaderElection() {
        record Case(Network network, StateType state, long expTerm) {}
        List<Case> cases = List.of(
                new Case(Network.of(null, null, null), StateType.LEADER, 1),
                new Case(Network.of(null, null, NOP), StateType.LEADER, 1),
                new Case(Network.of(null, NOP, NOP), StateType.CANDIDATE, 1),
                new Case(Network.of(null, NOP, NOP, null), StateType.CANDIDATE, 1),
                new Case(Network.of(null, NOP, NOP, null, null), StateType.LEADER, 1));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            c.network.send(hup(1));
            Raft sm = c.network.raft(1);
            assertEquals(c.state, sm.state, "#" + i);
            assertEquals(c.expTerm, sm.term, "#" + i);
        }
    }

    /** With PreVote on, the same elections end the same way, through a pre-vote round. */
    @Test
    void leaderElectionPreVote() {
        Consumer<Config.Builder> cfg = b -> b.preVote(true);
        record Case(Network network, StateType state, long expTerm) {}
        List<Case> cases = List.of(
                new Case(Network.withConfig(cfg, null, null, null), StateType.LEADER, 1),
                new Case(Network.withConfig(cfg, null, null, NOP), StateType.LEADER, 1),
                new Case(Network.withConfig(cfg, null, NOP, NOP), StateType.PRE_CANDIDATE, 0),
                new Case(Network.withConfig(cfg, null, NOP, NOP, null), StateType.PRE_CANDIDATE, 0),
                new Case(Network.withConfig(cfg, null, NOP, NOP, null, null), StateType.LEADER, 1));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            c.network.send(hup(1));
            Raft sm = c.network.raft(1);
            assertEquals(c.state, sm.state, "#" + i);
            assertEquals(c.expTerm, sm.term, "#" + i);
        }
    }

    /** Every node in turn can campaign and win, not only from a clean slate. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void leaderCycle(boolean preVote) {
        Network n = Network.withConfig(b -> b.preVote(preVote), null, null, null);
        for (long campaigner = 1; campaigner <= 3; campaigner++) {
            n.send(hup(campaigner));
            for (Raft sm : n.peers().values()) {
                if (sm.id == campaigner) {
                    assertEquals(StateType.LEADER, sm.state, "campaigner " + campaigner);
                } else {
                    assertEquals(StateType.FOLLOWER, sm.state, "node " + sm.id + " after campaign of " + campaigner);
                }
            }
        }
    }

    /**
     * A newly elected leader without the newest (highest-term) entries overwrites them with its own
     * lower-term entries.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void leaderElectionOverwriteNewerLogs(boolean preVote) {
        Consumer<Config.Builder> cfg = b -> b.peers(idsBySize(5)).preVote(preVote);
        // Node 1 won the election in term 1 and replicated an entry to node 2 only; node 3 won term 2 and
        // wrote an entry nobody else got; nodes 4 and 5 voted for 3 in term 2 but got no entries.
        Network n = Network.withConfig(cfg,
                entsWithConfig(1, cfg, 1),
                entsWithConfig(2, cfg, 1),
                entsWithConfig(3, cfg, 2),
                votedWithConfig(4, cfg, 3, 2),
                votedWithConfig(5, cfg, 3, 2));

        // Node 1 campaigns and loses: a quorum knows about term 2. It is pushed to term 2.
        n.send(hup(1));
        Raft sm1 = n.raft(1);
        assertEquals(StateType.FOLLOWER, sm1.state);
        assertEquals(2, sm1.term);

        // It campaigns again with a higher term and wins.
        n.send(hup(1));
        assertEquals(StateType.LEADER, sm1.state);
        assertEquals(3, sm1.term);

        // Everyone now has term 1 at index 1 and term 3 at index 2.
        for (Raft sm : n.peers().values()) {
            List<Entry> entries = sm.raftLog.allEntries();
            assertEquals(2, entries.size(), "node " + sm.id);
            assertEquals(1, entries.get(0).getTerm(), "node " + sm.id);
            assertEquals(3, entries.get(1).getTerm(), "node " + sm.id);
        }
    }

    /** A (pre-)vote request of a higher term is granted from any state; a real vote resets state and term. */
    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"MsgRequestVote", "MsgRequestPreVote"})
    void voteFromAnyState(MessageType vt) {
        MessageType vtResp = vt == MessageType.MsgRequestVote
                ? MessageType.MsgRequestVoteResponse : MessageType.MsgRequestPreVoteResponse;
        for (StateType st : StateType.values()) {
            Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            r.term = 1;
            switch (st) {
                case FOLLOWER -> r.becomeFollower(r.term, 3);
                case PRE_CANDIDATE -> r.becomePreCandidate();
                case CANDIDATE -> r.becomeCandidate();
                case LEADER -> {
                    r.becomeCandidate();
                    r.becomeLeader();
                }
            }
            readMessages(r);
            long origTerm = r.term;
            long newTerm = r.term + 1;
            r.step(msg(2, 1, vt).setTerm(newTerm).setLogTerm(newTerm).setIndex(42).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size(), vt + "," + st + ": " + msgs);
            assertEquals(vtResp, msgs.get(0).getMsgType(), vt + "," + st);
            assertFalse(msgs.get(0).getReject(), vt + "," + st);
            if (vt == MessageType.MsgRequestVote) {
                assertEquals(StateType.FOLLOWER, r.state, vt + "," + st);
                assertEquals(newTerm, r.term, vt + "," + st);
                assertEquals(2, r.vote, vt + "," + st);
            } else {
                // A pre-vote changes nothing.
                assertEquals(st, r.state, vt + "," + st);
                assertEquals(origTerm, r.term, vt + "," + st);
                long wantVote = st == StateType.CANDIDATE || st == StateType.LEADER ? 1 : Raft.NONE;
                assertEquals(wantVote, r.vote, vt + "," + st);
            }
        }
    }

    /**
     * Two candidates at once: the one cut off from the majority stays a candidate; after healing, its
     * new election with a shorter log disrupts the leader's term but loses.
     */
    @Test
    void duelingCandidates() {
        Raft a = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        Raft b = newTestRaft(2, THREE, 10, 1, new MemoryStorage());
        Raft c = newTestRaft(3, THREE, 10, 1, new MemoryStorage());
        Network nt = Network.of(a, b, c);
        nt.cut(1, 3);

        nt.send(hup(1));
        nt.send(hup(3));

        // 1 wins with the votes of 1 and 2; 3 has its own vote and 2's rejection.
        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.CANDIDATE, c.state);

        nt.recover();

        // 3 campaigns again with a higher term: it unseats 1, but 1 and 2 reject it for its short log.
        nt.send(hup(3));

        String wlog = ltoa(1, 0, entry(1, 1));
        assertEquals(StateType.FOLLOWER, a.state);
        assertEquals(2, a.term);
        assertEquals(wlog, ltoa(a.raftLog));
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(2, b.term);
        assertEquals(wlog, ltoa(b.raftLog));
        assertEquals(StateType.FOLLOWER, c.state);
        assertEquals(2, c.term);
        assertEquals(ltoa(0, 0), ltoa(c.raftLog));
    }

    /** With PreVote, the candidate with the shorter log cannot even bump the term of the others. */
    @Test
    void duelingPreCandidates() {
        Consumer<Config.Builder> cfg = b -> b.preVote(true);
        Raft a = newTestRaft(1, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft b = newTestRaft(2, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft c = newTestRaft(3, THREE, 10, 1, new MemoryStorage(), cfg);
        Network nt = Network.of(a, b, c);
        nt.cut(1, 3);

        nt.send(hup(1));
        nt.send(hup(3));
        assertEquals(StateType.LEADER, a.state);
        // 3 is refused the pre-vote by 2 (2's log is longer now), so it never became a candidate.
        assertEquals(StateType.FOLLOWER, c.state);

        nt.recover();
        nt.send(hup(3));

        String wlog = ltoa(1, 0, entry(1, 1));
        assertEquals(StateType.LEADER, a.state);
        assertEquals(1, a.term);
        assertEquals(wlog, ltoa(a.raftLog));
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(1, b.term);
        assertEquals(wlog, ltoa(b.raftLog));
        assertEquals(StateType.FOLLOWER, c.state);
        assertEquals(1, c.term);
        assertEquals(ltoa(0, 0), ltoa(c.raftLog));
    }

    /** An isolated candidate concedes to the leader elected meanwhile and catches up. */
    @Test
    void candidateConcede() {
        Network tt = Network.of(null, null, null);
        tt.isolate(1);

        tt.send(hup(1));
        tt.send(hup(3));

        // Heal the partition and let 3's heartbeat reach 1.
        tt.recover();
        tt.send(RaftTestUtil.beat(3));

        // A proposal to 3 flushes an append to 1; another heartbeat carries the commit index.
        tt.send(RaftTestUtil.propose(3, 3, "force follower"));
        tt.send(RaftTestUtil.beat(3));

        Raft a = tt.raft(1);
        assertEquals(StateType.FOLLOWER, a.state);
        assertEquals(1, a.term);
        String want = ltoa(2, 0, entry(1, 1), entry(2, 1, "force follower"));
        for (Raft sm : tt.peers().values()) {
            assertEquals(want, ltoa(sm.raftLog), "node " + sm.id);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void singleNodeCandidate(boolean preVote) {
        Network tt = Network.withConfig(b -> b.preVote(preVote), (Object) null);
        tt.send(hup(1));
        assertEquals(StateType.LEADER, tt.raft(1).state);
    }

    /** The vote decision: granted only to a candidate whose log is at least as up to date, once per term. */
    @Test
    void recvMsgRequestVote() {
        record Case(StateType state, long index, long logTerm, long voteFor, boolean wreject) {}
        List<Case> cases = List.of(
                new Case(StateType.FOLLOWER, 0, 0, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 0, 1, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 0, 2, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 0, 3, Raft.NONE, false),

                new Case(StateType.FOLLOWER, 1, 0, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 1, 1, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 1, 2, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 1, 3, Raft.NONE, false),

                new Case(StateType.FOLLOWER, 2, 0, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 2, 1, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 2, 2, Raft.NONE, false),
                new Case(StateType.FOLLOWER, 2, 3, Raft.NONE, false),

                new Case(StateType.FOLLOWER, 3, 0, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 3, 1, Raft.NONE, true),
                new Case(StateType.FOLLOWER, 3, 2, Raft.NONE, false),
                new Case(StateType.FOLLOWER, 3, 3, Raft.NONE, false),

                new Case(StateType.FOLLOWER, 3, 2, 2, false),
                new Case(StateType.FOLLOWER, 3, 2, 1, true),

                new Case(StateType.LEADER, 3, 3, 1, true),
                new Case(StateType.PRE_CANDIDATE, 3, 3, 1, true),
                new Case(StateType.CANDIDATE, 3, 3, 1, true));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft sm = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage());
            sm.state = c.state;
            sm.vote = c.voteFor;
            sm.raftLog = new RaftLog(storageWith(entry(1, 2), entry(2, 2)), Long.MAX_VALUE);
            // The term equals the larger of both last log terms: only the logs differ here.
            long term = Math.max(sm.raftLog.lastTerm(), c.logTerm);
            sm.term = term;
            sm.step(msg(2, 1, MessageType.MsgRequestVote).setTerm(term).setIndex(c.index).setLogTerm(c.logTerm)
                    .build());
            List<Message> msgs = readMessages(sm);
            assertEquals(1, msgs.size(), "#" + i);
            assertEquals(MessageType.MsgRequestVoteResponse, msgs.get(0).getMsgType(), "#" + i);
            assertEquals(c.wreject, msgs.get(0).getReject(), "#" + i);
        }
    }

    /** Any node seeing a higher term steps down; an append also tells it who leads. */
    @Test
    void allServerStepdown() {
        record Case(StateType state, StateType wstate, long wterm, long windex) {}
        List<Case> cases = List.of(
                new Case(StateType.FOLLOWER, StateType.FOLLOWER, 3, 0),
                new Case(StateType.PRE_CANDIDATE, StateType.FOLLOWER, 3, 0),
                new Case(StateType.CANDIDATE, StateType.FOLLOWER, 3, 0),
                new Case(StateType.LEADER, StateType.FOLLOWER, 3, 1));
        MessageType[] types = {MessageType.MsgRequestVote, MessageType.MsgAppend};
        long tterm = 3;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft sm = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            switch (c.state) {
                case FOLLOWER -> sm.becomeFollower(1, Raft.NONE);
                case PRE_CANDIDATE -> sm.becomePreCandidate();
                case CANDIDATE -> sm.becomeCandidate();
                case LEADER -> {
                    sm.becomeCandidate();
                    sm.becomeLeader();
                }
            }
            for (int j = 0; j < types.length; j++) {
                MessageType t = types[j];
                sm.step(msg(2, 1, t).setTerm(tterm).setLogTerm(tterm).build());
                assertEquals(c.wstate, sm.state, "#" + i + "." + j);
                assertEquals(c.wterm, sm.term, "#" + i + "." + j);
                assertEquals(c.windex, sm.raftLog.lastIndex(), "#" + i + "." + j);
                assertEquals(c.windex, sm.raftLog.allEntries().size(), "#" + i + "." + j);
                long wlead = t == MessageType.MsgRequestVote ? Raft.NONE : 2;
                assertEquals(wlead, sm.lead, "#" + i + "." + j);
            }
        }
    }

    /** A candidate receiving a heartbeat or append of the leader's (higher) term reverts to follower. */
    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"MsgHeartbeat", "MsgAppend"})
    void candidateResetTerm(MessageType mt) {
        Raft a = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        Raft b = newTestRaft(2, THREE, 10, 1, new MemoryStorage());
        Raft c = newTestRaft(3, THREE, 10, 1, new MemoryStorage());
        Network nt = Network.of(a, b, c);

        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.FOLLOWER, b.state);
        assertEquals(StateType.FOLLOWER, c.state);

        // Isolate 3 and raise the term of the others.
        nt.isolate(3);
        nt.send(hup(2));
        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);
        assertEquals(StateType.FOLLOWER, b.state);

        while (c.state != StateType.CANDIDATE) {
            c.tick();
        }
        nt.recover();

        // The leader reaches the isolated candidate, which reverts to follower at the leader's term.
        nt.send(msg(1, 3, mt).setTerm(a.term).build());
        assertEquals(StateType.FOLLOWER, c.state);
        assertEquals(a.term, c.term);
    }

    /**
     * A follower whose election timer fires while the leader's messages are delayed becomes a candidate
     * with a higher term; with CheckQuorum, its answer to the late heartbeat makes the leader step down.
     */
    @Test
    void disruptiveFollower() {
        Consumer<Config.Builder> cfg = b -> b.checkQuorum(true);
        Raft n1 = newTestRaft(1, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft n2 = newTestRaft(2, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft n3 = newTestRaft(3, THREE, 10, 1, new MemoryStorage(), cfg);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);

        nt.send(hup(1));
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);

        // n3's election timer fires before the leader's messages arrive (delayed network, or a restart
        // that advances ticks).
        while (n3.state != StateType.CANDIDATE) {
            n3.tick();
        }
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.CANDIDATE, n3.state);
        assertEquals(2, n1.term);
        assertEquals(2, n2.term);
        assertEquals(3, n3.term);

        // The leader's late heartbeat (lower term) reaches the candidate, which answers with its higher
        // term: the leader steps down, so the group can elect with the new term.
        nt.send(msg(1, 3, MessageType.MsgHeartbeat).setTerm(n1.term).build());
        assertEquals(StateType.FOLLOWER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.CANDIDATE, n3.state);
        assertEquals(3, n1.term);
        assertEquals(2, n2.term);
        assertEquals(3, n3.term);
    }

    /**
     * The same situation with PreVote: the lagging follower only becomes a pre-candidate without bumping
     * its term, so the late heartbeat turns it back into a follower and the leader stays.
     */
    @Test
    void disruptiveFollowerPreVote() {
        Consumer<Config.Builder> cfg = b -> b.checkQuorum(true).preVote(true);
        Raft n1 = newTestRaft(1, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft n2 = newTestRaft(2, THREE, 10, 1, new MemoryStorage(), cfg);
        Raft n3 = newTestRaft(3, THREE, 10, 1, new MemoryStorage(), cfg);
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));

        nt.isolate(3);
        nt.send(RaftTestUtil.propose(1, 1, "somedata"));
        nt.send(RaftTestUtil.propose(1, 1, "somedata"));
        nt.send(RaftTestUtil.propose(1, 1, "somedata"));
        nt.recover();
        nt.send(hup(3));

        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n2.state);
        assertEquals(StateType.PRE_CANDIDATE, n3.state);
        assertEquals(2, n1.term);
        assertEquals(2, n2.term);
        assertEquals(2, n3.term);

        // The delayed heartbeat does not force the leader to step down.
        nt.send(msg(1, 3, MessageType.MsgHeartbeat).setTerm(n1.term).build());
        assertEquals(StateType.LEADER, n1.state);
        assertEquals(StateType.FOLLOWER, n3.state);
        assertEquals(1, n3.lead);
    }

    /** Only a leader reacts to MsgBeat, with one heartbeat per follower. */
    @Test
    void recvMsgBeat() {
        record Case(StateType state, int wMsg) {}
        List<Case> cases = List.of(
                new Case(StateType.LEADER, 2),
                new Case(StateType.PRE_CANDIDATE, 0),
                new Case(StateType.CANDIDATE, 0),
                new Case(StateType.FOLLOWER, 0));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft sm = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            sm.raftLog = new RaftLog(storageWith(entry(1, 0), entry(2, 1)), Long.MAX_VALUE);
            sm.term = 1;
            sm.state = c.state;
            sm.step(RaftTestUtil.beat(1));
            List<Message> msgs = readMessages(sm);
            assertEquals(c.wMsg, msgs.size(), "#" + i);
            for (Message m : msgs) {
                assertEquals(MessageType.MsgHeartbeat, m.getMsgType());
            }
        }
    }

    /** A leader ignores MsgHup: it stays leader in the same term. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void campaignWhileLeader(boolean preVote) {
        Raft r = newTestRaft(1, new long[] {1}, 5, 1, new MemoryStorage(), b -> b.preVote(preVote));
        assertEquals(StateType.FOLLOWER, r.state);
        r.step(hup(1));
        assertEquals(StateType.LEADER, r.state);
        long term = r.term;
        r.step(hup(1));
        assertEquals(StateType.LEADER, r.state);
        assertEquals(term, r.term);
    }

    /** After a split vote the next election round completes. */
    @Test
    void splitVote() {
        Raft n1 = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        Raft n2 = newTestRaft(2, THREE, 10, 1, new MemoryStorage());
        Raft n3 = newTestRaft(3, THREE, 10, 1, new MemoryStorage());
        n1.becomeFollower(1, Raft.NONE);
        n2.becomeFollower(1, Raft.NONE);
        n3.becomeFollower(1, Raft.NONE);
        Network nt = Network.of(n1, n2, n3);
        nt.send(hup(1));

        // The leader goes down; both followers campaign at once and split the vote.
        nt.isolate(1);
        nt.send(hup(2), hup(3));
        assertEquals(3, n2.term);
        assertEquals(3, n3.term);
        assertEquals(StateType.CANDIDATE, n2.state);
        assertEquals(StateType.CANDIDATE, n3.state);

        // Node 2 times out first and wins the next round.
        nt.send(hup(2));
        assertEquals(4, n2.term);
        assertEquals(4, n3.term);
        assertEquals(StateType.LEADER, n2.state);
        assertEquals(StateType.FOLLOWER, n3.state);
    }
}
