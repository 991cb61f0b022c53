package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.acceptAndReply;
import static io.regionkv.raft.RaftTestUtil.commitNoopEntry;
import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.idsBySize;
import static io.regionkv.raft.RaftTestUtil.ltoa;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.persist;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static io.regionkv.raft.RaftTestUtil.sorted;
import static io.regionkv.raft.RaftTestUtil.storageWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scenarios of the raft paper (TinyKV stages 2AA and 2AB, "paper" cases): each case names the paper
 * section it checks. Adapted to this core's durability rule where it matters: a leader counts its own
 * log toward a quorum only once its entries are persisted, so single-node expectations persist first.
 */
class RaftPaperTest {

    private static final long[] THREE = {1, 2, 3};

    // ------------------------------------------------------------------ 5.1 terms

    /** A higher term in any message makes a follower, candidate or leader adopt it and follow. */
    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE", "LEADER"})
    void updateTermFromMessage(StateType state) {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        switch (state) {
            case FOLLOWER -> r.becomeFollower(1, 2);
            case CANDIDATE -> r.becomeCandidate();
            case LEADER -> {
                r.becomeCandidate();
                r.becomeLeader();
            }
            default -> throw new AssertionError();
        }
        r.step(msg(2, 1, MessageType.MsgAppend).setTerm(2).build());
        assertEquals(2, r.term);
        assertEquals(StateType.FOLLOWER, r.state);
    }

    /**
     * A server answers a lower-term append or heartbeat with its own term, so that the stale leader steps
     * down, even with pre-vote and check-quorum off. Without the answer, a follower whose vote requests
     * never reach the leader (it missed conf changes and campaigns among old voters) stayed behind forever.
     */
    @ParameterizedTest
    @EnumSource(value = MessageType.class, names = {"MsgAppend", "MsgHeartbeat"})
    void answersLowerTermLeaderWithOwnTerm(MessageType type) {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        r.becomeFollower(5, Raft.NONE);
        r.step(msg(2, 1, type).setTerm(3).build());
        List<Message> out = readMessages(r);
        assertEquals(1, out.size(), "one answer: " + out);
        assertEquals(MessageType.MsgAppendResponse, out.get(0).getMsgType());
        assertEquals(5, out.get(0).getTerm());
        assertEquals(2, out.get(0).getTo());
        assertEquals(5, r.term, "the lower term changes nothing here");
    }

    // ------------------------------------------------------------------ 5.2 leader election

    @Test
    void startAsFollower() {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        assertEquals(StateType.FOLLOWER, r.state);
    }

    /** On its heartbeat tick a leader sends an empty heartbeat to every follower. */
    @Test
    void leaderBcastBeat() {
        int hi = 1;
        Raft r = newTestRaft(1, THREE, 10, hi, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        r.step(msg(1, 1, MessageType.MsgPropose).addEntries(Entry.getDefaultInstance()).build());
        readMessages(r);
        for (int i = 0; i < hi; i++) {
            r.tick();
        }
        List<Message> msgs = sorted(readMessages(r));
        List<Message> want = List.of(
                msg(1, 2, MessageType.MsgHeartbeat).setTerm(1).build(),
                msg(1, 3, MessageType.MsgHeartbeat).setTerm(1).build());
        assertEquals(want, msgs);
    }

    /**
     * A follower that hears nothing for an election timeout, or a candidate that does not win in time,
     * starts an election: term + 1, votes for itself, asks everyone else for a vote.
     */
    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    void nonleaderStartElection(StateType state) {
        int et = 10;
        Raft r = newTestRaft(1, THREE, et, 1, new MemoryStorage());
        if (state == StateType.FOLLOWER) {
            r.becomeFollower(1, 2);
        } else {
            r.becomeCandidate();
        }
        for (int i = 1; i < 2 * et; i++) {
            r.tick();
        }
        assertEquals(2, r.term);
        assertEquals(StateType.CANDIDATE, r.state);
        assertEquals(Boolean.TRUE, r.tracker.votes.get(r.id));
        List<Message> want = List.of(
                msg(1, 2, MessageType.MsgRequestVote).setTerm(2).build(),
                msg(1, 3, MessageType.MsgRequestVote).setTerm(2).build());
        assertEquals(want, sorted(readMessages(r)));
    }

    /** One round of votes: a majority wins, otherwise the candidate stays a candidate. */
    @Test
    void leaderElectionInOneRoundRPC() {
        record Case(int size, Map<Long, Boolean> votes, StateType state) {}
        List<Case> cases = List.of(
                new Case(1, Map.of(), StateType.LEADER),
                new Case(3, Map.of(2L, true, 3L, true), StateType.LEADER),
                new Case(3, Map.of(2L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true, 4L, true, 5L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true, 4L, true), StateType.LEADER),
                new Case(5, Map.of(2L, true, 3L, true), StateType.LEADER),
                new Case(3, Map.of(), StateType.CANDIDATE),
                new Case(5, Map.of(2L, true), StateType.CANDIDATE),
                new Case(5, Map.of(2L, false, 3L, false), StateType.CANDIDATE),
                new Case(5, Map.of(), StateType.CANDIDATE));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft r = newTestRaft(1, idsBySize(c.size), 10, 1, new MemoryStorage());
            r.step(RaftTestUtil.hup(1));
            for (Map.Entry<Long, Boolean> v : c.votes.entrySet()) {
                r.step(msg(v.getKey(), 1, MessageType.MsgRequestVoteResponse).setTerm(r.term)
                        .setReject(!v.getValue()).build());
            }
            assertEquals(c.state, r.state, "#" + i);
            assertEquals(1, r.term, "#" + i);
        }
    }

    /** A follower votes for at most one candidate per term, first come first served. */
    @Test
    void followerVote() {
        long[][] cases = {{0, 1, 0}, {0, 2, 0}, {1, 1, 0}, {2, 2, 0}, {1, 2, 1}, {2, 1, 1}};
        for (long[] c : cases) {
            Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            r.term = 1;
            r.vote = c[0];
            r.step(msg(c[1], 1, MessageType.MsgRequestVote).setTerm(1).build());
            List<Message> want = List.of(
                    msg(1, c[1], MessageType.MsgRequestVoteResponse).setTerm(1).setReject(c[2] == 1).build());
            assertEquals(want, readMessages(r), "vote=" + c[0] + " nvote=" + c[1]);
        }
    }

    /** A candidate that receives an append from a leader of at least its term becomes its follower. */
    @Test
    void candidateFallback() {
        for (long term : new long[] {1, 2}) {
            Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            r.step(RaftTestUtil.hup(1));
            assertEquals(StateType.CANDIDATE, r.state);
            r.step(msg(2, 1, MessageType.MsgAppend).setTerm(term).build());
            assertEquals(StateType.FOLLOWER, r.state, "term " + term);
            assertEquals(term, r.term);
        }
    }

    /** Election timeouts are drawn from [et, 2et): every value occurs. */
    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    void nonleaderElectionTimeoutRandomized(StateType state) {
        int et = 10;
        Raft r = newTestRaft(1, THREE, et, 1, new MemoryStorage());
        Set<Integer> timeouts = new HashSet<>();
        for (int round = 0; round < 50 * et; round++) {
            if (state == StateType.FOLLOWER) {
                r.becomeFollower(r.term + 1, 2);
            } else {
                r.becomeCandidate();
            }
            int time = 0;
            while (readMessages(r).isEmpty()) {
                r.tick();
                time++;
            }
            assertTrue(time >= et && time < 2 * et, "timeout " + time + " out of [et, 2et)");
            timeouts.add(time);
        }
        for (int d = et + 1; d < 2 * et; d++) {
            assertTrue(timeouts.contains(d), "timeout in " + d + " ticks should happen");
        }
    }

    /** In most rounds a single node times out first, which makes split votes unlikely. */
    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"FOLLOWER", "CANDIDATE"})
    void nonleadersElectionTimeoutNonconflict(StateType state) {
        int et = 10;
        int size = 5;
        long[] ids = idsBySize(size);
        List<Raft> rs = new ArrayList<>();
        for (long id : ids) {
            rs.add(newTestRaft(id, ids, et, 1, new MemoryStorage()));
        }
        int conflicts = 0;
        for (int round = 0; round < 1000; round++) {
            for (Raft r : rs) {
                if (state == StateType.FOLLOWER) {
                    r.becomeFollower(r.term + 1, Raft.NONE);
                } else {
                    r.becomeCandidate();
                }
            }
            int timeoutNum = 0;
            while (timeoutNum == 0) {
                for (Raft r : rs) {
                    r.tick();
                    if (!readMessages(r).isEmpty()) {
                        timeoutNum++;
                    }
                }
            }
            if (timeoutNum > 1) {
                conflicts++;
            }
        }
        double g = conflicts / 1000.0;
        assertTrue(g <= 0.3, "probability of conflicts = " + g + ", want <= 0.3");
    }

    // ------------------------------------------------------------------ 5.3 log replication

    /** A proposal is appended and sent to every follower with the index and term of the entry before it. */
    @Test
    void leaderStartReplication() {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        commitNoopEntry(r);
        long li = r.raftLog.lastIndex();

        r.step(RaftTestUtil.propose(1, 1, "some data"));

        assertEquals(li + 1, r.raftLog.lastIndex());
        assertEquals(li, r.raftLog.committed);
        Entry ent = entry(li + 1, 1, "some data");
        List<Message> want = List.of(
                msg(1, 2, MessageType.MsgAppend).setTerm(1).setIndex(li).setLogTerm(1).addEntries(ent).setCommit(li)
                        .build(),
                msg(1, 3, MessageType.MsgAppend).setTerm(1).setIndex(li).setLogTerm(1).addEntries(ent).setCommit(li)
                        .build());
        assertEquals(want, sorted(readMessages(r)));
        assertEquals(List.of(ent), r.raftLog.unstableEntries());
    }

    /** Once replicated on a majority the entry is committed, handed out, and the new commit index sent. */
    @Test
    void leaderCommitEntry() {
        Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
        r.becomeCandidate();
        r.becomeLeader();
        commitNoopEntry(r);
        long li = r.raftLog.lastIndex();
        r.step(RaftTestUtil.propose(1, 1, "some data"));
        for (Message m : readMessages(r)) {
            r.step(acceptAndReply(m));
        }
        assertEquals(li + 1, r.raftLog.committed);
        assertEquals(List.of(entry(li + 1, 1, "some data")), r.raftLog.nextCommittedEnts());
        List<Message> msgs = sorted(readMessages(r));
        assertEquals(2, msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            Message m = msgs.get(i);
            assertEquals(i + 2, m.getTo());
            assertEquals(MessageType.MsgAppend, m.getMsgType());
            assertEquals(li + 1, m.getCommit());
        }
    }

    /** An entry commits once the leader (after persisting it) and enough followers hold it. */
    @Test
    void leaderAcknowledgeCommit() {
        record Case(int size, Set<Long> acceptors, boolean wack) {}
        List<Case> cases = List.of(
                new Case(1, Set.of(), true),
                new Case(3, Set.of(), false),
                new Case(3, Set.of(2L), true),
                new Case(3, Set.of(2L, 3L), true),
                new Case(5, Set.of(), false),
                new Case(5, Set.of(2L), false),
                new Case(5, Set.of(2L, 3L), true),
                new Case(5, Set.of(2L, 3L, 4L), true),
                new Case(5, Set.of(2L, 3L, 4L, 5L), true));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft r = newTestRaft(1, idsBySize(c.size), 10, 1, new MemoryStorage());
            r.becomeCandidate();
            r.becomeLeader();
            commitNoopEntry(r);
            long li = r.raftLog.lastIndex();
            r.step(RaftTestUtil.propose(1, 1, "some data"));
            // The leader's own copy counts once it is persisted.
            persist(r);
            for (Message m : readMessages(r)) {
                if (c.acceptors.contains(m.getTo())) {
                    r.step(acceptAndReply(m));
                }
            }
            assertEquals(c.wack, r.raftLog.committed > li, "#" + i);
        }
    }

    /** Committing an entry commits every entry before it, including those of earlier leaders. */
    @Test
    void leaderCommitPrecedingEntries() {
        List<List<Entry>> cases = List.of(
                List.of(),
                List.of(entry(1, 2)),
                List.of(entry(1, 1), entry(2, 2)),
                List.of(entry(1, 1)));
        for (int i = 0; i < cases.size(); i++) {
            List<Entry> tt = cases.get(i);
            MemoryStorage storage = new MemoryStorage();
            storage.append(tt);
            Raft r = newTestRaft(1, THREE, 10, 1, storage);
            r.term = 2;
            r.becomeCandidate();
            r.becomeLeader();
            r.step(RaftTestUtil.propose(1, 1, "some data"));
            for (Message m : readMessages(r)) {
                r.step(acceptAndReply(m));
            }
            long li = tt.size();
            List<Entry> want = new ArrayList<>(tt);
            want.add(entry(li + 1, 3));
            want.add(entry(li + 2, 3, "some data"));
            assertEquals(want, r.raftLog.nextCommittedEnts(), "#" + i);
        }
    }

    /** A follower applies entries once it learns they are committed, in log order. */
    @Test
    void followerCommitEntry() {
        record Case(List<Entry> ents, long commit) {}
        List<Case> cases = List.of(
                new Case(List.of(entry(1, 1, "some data")), 1),
                new Case(List.of(entry(1, 1, "some data"), entry(2, 1, "some data2")), 2),
                new Case(List.of(entry(1, 1, "some data2"), entry(2, 1, "some data")), 2),
                new Case(List.of(entry(1, 1, "some data"), entry(2, 1, "some data2")), 1));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            r.becomeFollower(1, 2);
            r.step(msg(2, 1, MessageType.MsgAppend).setTerm(1).addAllEntries(c.ents).setCommit(c.commit).build());
            assertEquals(c.commit, r.raftLog.committed, "#" + i);
            assertEquals(c.ents.subList(0, (int) c.commit), r.raftLog.nextCommittedEnts(), "#" + i);
        }
    }

    /** A follower rejects an append whose previous entry it does not have (same index and term). */
    @Test
    void followerCheckMsgAppend() {
        List<Entry> ents = List.of(entry(1, 1), entry(2, 2));
        long[][] cases = {
            {0, 0, 0}, // match with committed entries
            {1, 1, 0},
            {2, 2, 0}, // match with uncommitted entries
            {1, 2, 1}, // mismatch with existing entry
            {3, 3, 1}, // entry that does not exist
        };
        for (int i = 0; i < cases.length; i++) {
            long term = cases[i][0];
            long index = cases[i][1];
            boolean wreject = cases[i][2] == 1;
            MemoryStorage storage = new MemoryStorage();
            storage.append(ents);
            Raft r = newTestRaft(1, THREE, 10, 1, storage);
            r.raftLog.committed = 1;
            r.becomeFollower(2, 2);
            readMessages(r);
            r.step(msg(2, 1, MessageType.MsgAppend).setTerm(2).setLogTerm(term).setIndex(index).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size(), "#" + i);
            assertEquals(2, msgs.get(0).getTerm(), "#" + i);
            assertEquals(wreject, msgs.get(0).getReject(), "#" + i);
        }
    }

    /** A valid append truncates the conflicting tail and appends what is new; nothing is persisted yet. */
    @Test
    void followerAppendEntries() {
        record Case(long index, long term, List<Entry> ents, List<Entry> wents, List<Entry> wunstable) {}
        List<Case> cases = List.of(
                new Case(2, 2, List.of(entry(3, 3)),
                        List.of(entry(1, 1), entry(2, 2), entry(3, 3)), List.of(entry(3, 3))),
                new Case(1, 1, List.of(entry(2, 3), entry(3, 4)),
                        List.of(entry(1, 1), entry(2, 3), entry(3, 4)), List.of(entry(2, 3), entry(3, 4))),
                new Case(0, 0, List.of(entry(1, 1)),
                        List.of(entry(1, 1), entry(2, 2)), List.of()),
                new Case(0, 0, List.of(entry(1, 3)),
                        List.of(entry(1, 3)), List.of(entry(1, 3))));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            MemoryStorage storage = storageWith(entry(1, 1), entry(2, 2));
            Raft r = newTestRaft(1, THREE, 10, 1, storage);
            r.becomeFollower(2, 2);
            r.step(msg(2, 1, MessageType.MsgAppend).setTerm(2).setLogTerm(c.term).setIndex(c.index)
                    .addAllEntries(c.ents).build());
            assertEquals(c.wents, r.raftLog.allEntries(), "#" + i);
            assertEquals(c.wunstable, r.raftLog.unstableEntries(), "#" + i);
        }
    }

    /** The leader brings every divergent follower log of the paper's figure 7 in line with its own. */
    @Test
    void leaderSyncFollowerLog() {
        List<Entry> ents = terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
        long term = 8;
        List<List<Entry>> cases = List.of(
                terms(1, 1, 1, 4, 4, 5, 5, 6, 6),
                terms(1, 1, 1, 4),
                terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6),
                terms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7),
                terms(1, 1, 1, 4, 4, 4, 4),
                terms(1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3));
        for (int i = 0; i < cases.size(); i++) {
            MemoryStorage leadStorage = new MemoryStorage();
            leadStorage.append(ents);
            Raft lead = newTestRaft(1, THREE, 10, 1, leadStorage);
            lead.term = term;
            lead.raftLog.committed = lead.raftLog.lastIndex();
            MemoryStorage followerStorage = new MemoryStorage();
            followerStorage.append(cases.get(i));
            Raft follower = newTestRaft(2, THREE, 10, 1, followerStorage);
            follower.term = term - 1;
            // Three nodes: the follower may have a more up-to-date log than the leader, so the leader
            // needs the third node's vote.
            Network n = Network.of(lead, follower, Network.NOP);
            n.send(RaftTestUtil.hup(1));
            n.send(msg(3, 1, MessageType.MsgRequestVoteResponse).setTerm(term + 1).build());
            n.send(RaftTestUtil.proposeEmpty(1, 1));
            assertEquals(ltoa(lead.raftLog), ltoa(follower.raftLog), "#" + i);
        }
    }

    private static List<Entry> terms(long... terms) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(entry(i + 1, terms[i]));
        }
        return out;
    }

    // ------------------------------------------------------------------ 5.4 safety

    /** A vote request carries the candidate's last log index and term and goes to every other node. */
    @Test
    void voteRequest() {
        record Case(List<Entry> ents, long wterm) {}
        List<Case> cases = List.of(
                new Case(List.of(entry(1, 1)), 2),
                new Case(List.of(entry(1, 1), entry(2, 2)), 3));
        for (int j = 0; j < cases.size(); j++) {
            Case c = cases.get(j);
            Raft r = newTestRaft(1, THREE, 10, 1, new MemoryStorage());
            r.step(msg(2, 1, MessageType.MsgAppend).setTerm(c.wterm - 1).setLogTerm(0).setIndex(0)
                    .addAllEntries(c.ents).build());
            readMessages(r);
            while (r.state != StateType.CANDIDATE) {
                r.tick();
            }
            List<Message> msgs = sorted(readMessages(r));
            assertEquals(2, msgs.size(), "#" + j);
            Entry last = c.ents.get(c.ents.size() - 1);
            for (int i = 0; i < msgs.size(); i++) {
                Message m = msgs.get(i);
                assertEquals(MessageType.MsgRequestVote, m.getMsgType());
                assertEquals(i + 2, m.getTo());
                assertEquals(c.wterm, m.getTerm());
                assertEquals(last.getIndex(), m.getIndex());
                assertEquals(last.getTerm(), m.getLogTerm());
            }
        }
    }

    /** A voter denies its vote when its own log is more up to date than the candidate's. */
    @Test
    void voter() {
        record Case(List<Entry> ents, long logterm, long index, boolean wreject) {}
        List<Case> cases = List.of(
                // same log term
                new Case(List.of(entry(1, 1)), 1, 1, false),
                new Case(List.of(entry(1, 1)), 1, 2, false),
                new Case(List.of(entry(1, 1), entry(2, 1)), 1, 1, true),
                // candidate has a higher log term
                new Case(List.of(entry(1, 1)), 2, 1, false),
                new Case(List.of(entry(1, 1)), 2, 2, false),
                new Case(List.of(entry(1, 1), entry(2, 1)), 2, 1, false),
                // voter has a higher log term
                new Case(List.of(entry(1, 2)), 1, 1, true),
                new Case(List.of(entry(1, 2)), 1, 2, true),
                new Case(List.of(entry(1, 2), entry(2, 1)), 1, 1, true));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            MemoryStorage storage = new MemoryStorage();
            storage.append(c.ents);
            Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, storage);
            r.step(msg(2, 1, MessageType.MsgRequestVote).setTerm(3).setLogTerm(c.logterm).setIndex(c.index).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size(), "#" + i);
            assertEquals(MessageType.MsgRequestVoteResponse, msgs.get(0).getMsgType(), "#" + i);
            assertEquals(c.wreject, msgs.get(0).getReject(), "#" + i);
        }
    }

    /** Only entries of the leader's current term are committed by counting replicas. */
    @Test
    void leaderOnlyCommitsLogFromCurrentTerm() {
        List<Entry> ents = List.of(entry(1, 1), entry(2, 2));
        long[][] cases = {
            {1, 0}, {2, 0}, // entries of previous terms are not committed by counting
            {3, 3}, // the entry of the current term is
        };
        for (int i = 0; i < cases.length; i++) {
            MemoryStorage storage = new MemoryStorage();
            storage.append(ents);
            Raft r = newTestRaft(1, new long[] {1, 2}, 10, 1, storage);
            r.term = 2;
            r.becomeCandidate();
            r.becomeLeader();
            readMessages(r);
            r.step(RaftTestUtil.proposeEmpty(1, 1));
            persist(r);
            r.step(msg(2, 1, MessageType.MsgAppendResponse).setTerm(r.term).setIndex(cases[i][0]).build());
            assertEquals(cases[i][1], r.raftLog.committed, "#" + i);
        }
    }

    @Test
    void proposalDataRoundTrips() {
        // Sanity of the harness used above: proposals keep their bytes through the log.
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage());
        r.step(RaftTestUtil.hup(1));
        r.step(msg(1, 1, MessageType.MsgPropose)
                .addEntries(Entry.newBuilder().setData(ByteString.copyFrom(new byte[] {1, 2, 3}))).build());
        List<Entry> ents = RaftTestUtil.nextEnts(r);
        assertEquals(ByteString.copyFrom(new byte[] {1, 2, 3}), ents.get(ents.size() - 1).getData());
    }
}
