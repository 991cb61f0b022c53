package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.readCtx;
import static io.regionkv.raft.RaftFixtures.readIndex;
import static io.regionkv.raft.RaftFixtures.setRandomizedElectionTimeout;
import static io.regionkv.raft.RaftFixtures.tick;
import static io.regionkv.raft.RaftTestUtil.beat;
import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.hup;
import static io.regionkv.raft.RaftTestUtil.msg;
import static io.regionkv.raft.RaftTestUtil.newTestRaft;
import static io.regionkv.raft.RaftTestUtil.proposeEmpty;
import static io.regionkv.raft.RaftTestUtil.readMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ReadIndex: linearizable reads without log entries, safe (heartbeat quorum) and lease-based (etcd). */
class RaftReadIndexTest {

    private static Consumer<Config.Builder> option(ReadOnlyOption o) {
        return b -> {
            b.readOnlyOption(o);
            if (o == ReadOnlyOption.LEASE_BASED) {
                // The lease is only as good as the leader's knowledge that a quorum still follows it.
                b.checkQuorum(true);
            }
        };
    }

    /**
     * etcd TestReadOnlyOptionSafe / TestReadOnlyOptionLease: reads asked at the leader or at either
     * follower are answered with the commit index at the time they reached the leader.
     */
    @ParameterizedTest
    @EnumSource(ReadOnlyOption.class)
    void readOnlyOption(ReadOnlyOption opt) {
        Raft a = newTestRaft(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), option(opt));
        Raft b = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), option(opt));
        Raft c = newTestRaft(3, new long[] {1, 2, 3}, 10, 1, new MemoryStorage(), option(opt));
        Network nt = Network.of(a, b, c);
        setRandomizedElectionTimeout(b, b.electionTimeout + 1);
        tick(b, b.electionTimeout);
        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);

        record Case(Raft sm, int proposals, long wri, String wctx) {}
        List<Case> cases = List.of(
                new Case(a, 10, 11, "ctx1"),
                new Case(b, 10, 21, "ctx2"),
                new Case(c, 10, 31, "ctx3"),
                new Case(a, 10, 41, "ctx4"),
                new Case(b, 10, 51, "ctx5"),
                new Case(c, 10, 61, "ctx6"));
        for (int i = 0; i < cases.size(); i++) {
            Case tt = cases.get(i);
            for (int j = 0; j < tt.proposals; j++) {
                nt.send(proposeEmpty(1, 1));
            }
            nt.send(readIndex(tt.sm.id, tt.sm.id, tt.wctx));

            Raft r = tt.sm;
            assertEquals(1, r.readStates.size(), "#" + i + ": read states of node " + r.id);
            ReadState rs = r.readStates.get(0);
            assertEquals(tt.wri, rs.index(), "#" + i);
            assertEquals(tt.wctx, readCtx(rs), "#" + i);
            r.readStates.clear();
        }
    }

    /** A safe read is answered only once a quorum (the leader included) acknowledged its heartbeat. */
    @Test
    void safeReadIndexNeedsHeartbeatQuorum() {
        Network nt = Network.of(null, null, null, null, null);
        nt.send(hup(1));
        Raft lead = nt.raft(1);
        assertEquals(StateType.LEADER, lead.state);
        long committed = lead.raftLog.committed;

        // Only node 2 answers: the leader and one follower are 2 of 5, not a quorum.
        nt.cut(1, 3);
        nt.cut(1, 4);
        nt.cut(1, 5);
        nt.send(readIndex(1, 1, "r1"));
        assertEquals(List.of(), lead.readStates);
        assertEquals(1, lead.readOnly.pendingCount());
        nt.send(beat(1));
        assertEquals(List.of(), lead.readStates, "later heartbeats do not help without a quorum");

        // Node 3 answers too: 3 of 5 confirm the leadership, the read is served.
        nt.recover();
        nt.cut(1, 4);
        nt.cut(1, 5);
        nt.send(beat(1));
        assertEquals(1, lead.readStates.size());
        assertEquals(committed, lead.readStates.get(0).index());
        assertEquals("r1", readCtx(lead.readStates.get(0)));
        assertEquals(0, lead.readOnly.pendingCount());
    }

    /** etcd TestRaftFreesReadOnlyMem: a confirmed read leaves no bookkeeping behind. */
    @Test
    void raftFreesReadOnlyMem() {
        Raft sm = newTestRaft(1, new long[] {1, 2}, 5, 1, new MemoryStorage());
        sm.becomeCandidate();
        sm.becomeLeader();
        sm.raftLog.commitTo(sm.raftLog.lastIndex());
        ByteString ctx = ByteString.copyFromUtf8("ctx");

        // The leader starts a linearizable read for node 2 (raft dissertation 6.4, step 2).
        sm.step(readIndex(2, 1, "ctx"));
        List<Message> msgs = readMessages(sm);
        assertEquals(1, msgs.size());
        assertEquals(MessageType.MsgHeartbeat, msgs.get(0).getMsgType());
        assertEquals(ctx, msgs.get(0).getContext());
        assertEquals(1, sm.readOnly.pendingCount());

        // The heartbeat answer of a majority (node 2 here) confirms the leadership (step 3).
        sm.step(msg(2, 1, MessageType.MsgHeartbeatResponse).setTerm(sm.term).setContext(ctx).build());
        assertEquals(0, sm.readOnly.pendingCount());
        // The answer goes back to node 2 (beside an append: node 2's answer showed it lacks entries).
        msgs = RaftFixtures.ofType(readMessages(sm), MessageType.MsgReadIndexResp);
        assertEquals(1, msgs.size());
        assertEquals(2, msgs.get(0).getTo());
        assertEquals(sm.raftLog.committed, msgs.get(0).getIndex());
        assertEquals(ctx, msgs.get(0).getEntries(0).getData());
    }

    /** A follower forwards the read to its leader and records the leader's answer as a ReadState. */
    @Test
    void followerForwardsReadIndexToLeader() {
        Raft f = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        f.becomeFollower(1, 1);
        f.step(readIndex(2, 2, "fwd"));
        List<Message> msgs = readMessages(f);
        assertEquals(1, msgs.size());
        Message m = msgs.get(0);
        assertEquals(MessageType.MsgReadIndex, m.getMsgType());
        assertEquals(1, m.getTo());
        assertEquals(2, m.getFrom());
        assertEquals("fwd", m.getEntries(0).getData().toStringUtf8());

        f.step(msg(1, 2, MessageType.MsgReadIndexResp).setTerm(1).setIndex(7).addAllEntries(m.getEntriesList()).build());
        assertEquals(List.of(new ReadState(7, "fwd".getBytes(java.nio.charset.StandardCharsets.UTF_8))), f.readStates);
    }

    /** Without a known leader there is nobody to confirm a read: it is dropped with a typed error. */
    @Test
    void readIndexWithoutLeaderIsDropped() {
        Raft f = newTestRaft(2, new long[] {1, 2, 3}, 10, 1, new MemoryStorage());
        assertThrows(ProposalDroppedException.class, () -> f.step(readIndex(2, 2, "x")));
        f.becomeCandidate();
        assertThrows(ProposalDroppedException.class, () -> f.step(readIndex(2, 2, "x")));
        assertEquals(List.of(), readMessages(f).stream().filter(m -> m.getMsgType() == MessageType.MsgReadIndex).toList());
    }

    /** etcd TestReadOnlyWithLearner: a learner's read goes through the leader like a follower's. */
    @Test
    void readOnlyWithLearner() {
        Raft a = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), b -> b.learners(2));
        Raft b = newTestRaft(2, new long[] {1}, 10, 1, new MemoryStorage(), bb -> bb.learners(2));
        Network nt = Network.of(a, b);
        setRandomizedElectionTimeout(b, b.electionTimeout + 1);
        tick(b, b.electionTimeout);
        nt.send(hup(1));
        assertEquals(StateType.LEADER, a.state);

        for (int round = 1; round <= 2; round++) {
            Raft sm = round == 1 ? a : b;
            for (int j = 0; j < 10; j++) {
                nt.send(proposeEmpty(1, 1));
            }
            nt.send(readIndex(sm.id, sm.id, "ctx" + round));
            assertEquals(1, sm.readStates.size(), "round " + round);
            assertEquals(a.raftLog.committed, sm.readStates.get(0).index());
            assertEquals("ctx" + round, readCtx(sm.readStates.get(0)));
            sm.readStates.clear();
        }
    }

    /**
     * etcd TestReadOnlyForNewLeader: a new leader does not know the previous leader's commit index until
     * it commits an entry of its own term, so it holds reads until then and answers them afterwards.
     */
    @Test
    void readOnlyForNewLeader() {
        record NodeCfg(long id, long committed, long applied, long compactIndex) {}
        List<NodeCfg> cfgs = List.of(new NodeCfg(1, 1, 1, 0), new NodeCfg(2, 2, 2, 2), new NodeCfg(3, 2, 2, 2));
        Raft[] peers = new Raft[3];
        for (NodeCfg c : cfgs) {
            MemoryStorage storage = RaftTestUtil.storageWith(entry(1, 1), entry(2, 1));
            storage.setHardState(HardState.newBuilder().setTerm(1).setCommit(c.committed).build());
            if (c.compactIndex != 0) {
                storage.compact(c.compactIndex);
            }
            peers[(int) c.id - 1] = newTestRaft(c.id, new long[] {1, 2, 3}, 10, 1, storage, b -> b.applied(c.applied));
        }
        Network nt = Network.of((Object[]) peers);

        // Drop appends so that node 1 cannot commit an entry of its term once it leads.
        nt.ignore(MessageType.MsgAppend);
        nt.send(hup(1));
        Raft sm = nt.raft(1);
        assertEquals(StateType.LEADER, sm.state);

        // The read is held back.
        long windex = 4;
        nt.send(readIndex(1, 1, "ctx"));
        assertEquals(List.of(), sm.readStates);

        nt.recover();
        // Let the leader commit an entry of its own term.
        tick(sm, sm.heartbeatTimeout);
        nt.send(proposeEmpty(1, 1));
        assertEquals(4, sm.raftLog.committed);
        assertEquals(sm.term, sm.raftLog.term(sm.raftLog.committed));

        // The held read was answered after that commit ...
        assertEquals(1, sm.readStates.size());
        assertEquals(windex, sm.readStates.get(0).index());
        assertEquals("ctx", readCtx(sm.readStates.get(0)));

        // ... and new reads are answered at once.
        nt.send(readIndex(1, 1, "ctx"));
        assertEquals(2, sm.readStates.size());
        assertEquals(windex, sm.readStates.get(1).index());
    }

    /**
     * Lease-based reads skip the heartbeat round: an isolated leader still answers while its lease holds
     * (the trade-off of the option), and stops once check-quorum deposes it.
     */
    @Test
    void leaseReadSkipsHeartbeatRound() {
        Network nt = Network.withConfig(option(ReadOnlyOption.LEASE_BASED), null, null, null);
        nt.send(hup(1));
        Raft lead = nt.raft(1);
        assertEquals(StateType.LEADER, lead.state);

        nt.isolate(1);
        nt.send(readIndex(1, 1, "lease"));
        assertEquals(1, lead.readStates.size(), "answered without any heartbeat answer");
        assertEquals(lead.raftLog.committed, lead.readStates.get(0).index());

        tick(lead, 2 * lead.electionTimeout);
        assertEquals(StateType.FOLLOWER, lead.state);
        assertThrows(ProposalDroppedException.class, () -> lead.step(readIndex(1, 1, "late")));
    }

    /** A single voter is its own quorum: the read is answered at once in both modes. */
    @ParameterizedTest
    @EnumSource(ReadOnlyOption.class)
    void singleNodeReadIndex(ReadOnlyOption opt) {
        Raft r = newTestRaft(1, new long[] {1}, 10, 1, new MemoryStorage(), option(opt));
        r.step(hup(1));
        RaftTestUtil.persist(r);
        assertEquals(1, r.raftLog.committed);
        r.step(readIndex(1, 1, "solo"));
        assertEquals(List.of(new ReadState(1, "solo".getBytes(java.nio.charset.StandardCharsets.UTF_8))), r.readStates);
        assertTrue(readMessages(r).isEmpty());
    }
}
