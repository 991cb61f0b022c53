package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.newTestConfig;
import static io.regionkv.raft.RaftTestUtil.newTestConfigBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Ready/advance cycle of {@link RawNode} (TinyKV 2AC) and the contracts of DESIGN.md. */
class RawNodeTest {

    /** Persists a Ready as an application would, then advances; applies at once when {@code apply}. */
    private static void handle(RawNode node, MemoryStorage s, Ready rd, boolean apply) {
        if (rd.snapshot() != null) {
            s.applySnapshot(rd.snapshot());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
        node.advance(rd);
        if (apply) {
            long applied = appliedCursor(rd);
            if (applied > 0) {
                node.advanceApply(applied);
            }
        }
    }

    private static long appliedCursor(Ready rd) {
        if (!rd.committedEntries().isEmpty()) {
            return rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex();
        }
        return rd.snapshot() != null ? rd.snapshot().getMetadata().getIndex() : 0;
    }

    /** Runs Ready cycles until there is nothing left; returns the committed entries handed out. */
    private static List<Entry> drain(RawNode node, MemoryStorage s) {
        List<Entry> committed = new ArrayList<>();
        while (node.hasReady()) {
            Ready rd = node.ready();
            committed.addAll(rd.committedEntries());
            handle(node, s, rd, true);
        }
        return committed;
    }

    /** A node starts, is elected, and commits a proposal through the Ready cycle. */
    @Test
    void rawNodeStart() {
        MemoryStorage storage = new MemoryStorage();
        RawNode rawNode = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, storage));
        rawNode.campaign();
        Ready rd = rawNode.ready();
        assertEquals(new SoftState(1, StateType.LEADER), rd.softState());
        assertEquals(1, rd.entries().size());
        // Under the durability contract the leader counts its own empty entry only once persisted.
        assertTrue(rd.committedEntries().isEmpty());
        handle(rawNode, storage, rd, true);
        List<Entry> noop = drain(rawNode, storage);
        assertEquals(List.of(entry(1, 1)), noop);

        rawNode.propose(ByteString.copyFromUtf8("foo"));
        rd = rawNode.ready();
        assertEquals(1, rd.entries().size());
        assertEquals(ByteString.copyFromUtf8("foo"), rd.entries().get(0).getData());
        assertTrue(rd.committedEntries().isEmpty());
        handle(rawNode, storage, rd, true);

        rd = rawNode.ready();
        assertTrue(rd.entries().isEmpty());
        assertEquals(1, rd.committedEntries().size());
        assertEquals(ByteString.copyFromUtf8("foo"), rd.committedEntries().get(0).getData());
        assertEquals(2, rd.hardState().getCommit());
        handle(rawNode, storage, rd, true);

        assertFalse(rawNode.hasReady());
    }

    /** A restarted node hands out the committed entries of its stored log, and nothing else. */
    @Test
    void rawNodeRestart() {
        List<Entry> entries = List.of(entry(1, 1), entry(2, 1, "foo"));
        HardState st = HardState.newBuilder().setTerm(1).setCommit(1).build();
        MemoryStorage storage = new MemoryStorage();
        storage.setHardState(st);
        storage.append(entries);
        RawNode rawNode = new RawNode(newTestConfig(1, new long[] {}, 10, 1, storage));

        Ready rd = rawNode.ready();
        Ready want = new Ready(null, null, List.of(), List.of(), null, entries.subList(0, 1), List.of(), List.of());
        assertEquals(want, rd);
        rawNode.advance(rd);
        rawNode.advanceApply(1);
        assertFalse(rawNode.hasReady());
    }

    @Test
    void oneReadyInFlight() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        node.campaign();
        Ready rd = node.ready();
        assertFalse(node.hasReady());
        assertThrows(IllegalStateException.class, node::ready);
        // Proposals may be stepped while the Ready is persisted; they come in the next one.
        node.propose(ByteString.copyFromUtf8("a"));
        assertThrows(IllegalArgumentException.class,
                () -> node.advance(new Ready(null, null, List.of(), List.of(), null, List.of(), List.of(), List.of())));
        handle(node, s, rd, true);
        assertTrue(node.hasReady());
        Ready next = node.ready();
        assertEquals(1, next.entries().size());
        assertEquals(ByteString.copyFromUtf8("a"), next.entries().get(0).getData());
    }

    @Test
    void stepRejectsLocalMessages() {
        RawNode node = new RawNode(newTestConfig(1, new long[] {1, 2}, 10, 1, new MemoryStorage()));
        for (MessageType t : List.of(MessageType.MsgHup, MessageType.MsgBeat, MessageType.MsgUnreachable,
                MessageType.MsgSnapStatus, MessageType.MsgCheckQuorum)) {
            Message m = Message.newBuilder().setMsgType(t).setFrom(2).setTo(1).setTerm(1).build();
            assertThrows(IllegalArgumentException.class, () -> node.step(m), t.toString());
        }
        assertEquals(0, node.raft.term);
        assertEquals(StateType.FOLLOWER, node.raft.state);
        // Misaddressed.
        Message wrong = Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(2).setTo(3).setTerm(1).build();
        assertThrows(IllegalArgumentException.class, () -> node.step(wrong));
        // A response from a non-member is dropped silently.
        node.step(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setFrom(9).setTo(1).setTerm(5).build());
        assertEquals(0, node.raft.term);
    }

    /**
     * Messages of a leader may go out before its fsync; every message of a follower or candidate waits
     * for the persistence of its Ready.
     */
    @Test
    void messagesAreSplitByDurability() {
        Map<Long, MemoryStorage> storages = new HashMap<>();
        Map<Long, RawNode> nodes = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            MemoryStorage s = new MemoryStorage();
            storages.put(id, s);
            nodes.put(id, new RawNode(newTestConfig(id, new long[] {1, 2, 3}, 10, 1, s)));
        }
        RawNode n1 = nodes.get(1L);
        n1.campaign();
        Ready rd = n1.ready();
        assertTrue(rd.messages().isEmpty());
        assertEquals(2, rd.persistedMessages().size());
        for (Message m : rd.persistedMessages()) {
            assertEquals(MessageType.MsgRequestVote, m.getMsgType());
        }
        assertNotNull(rd.hardState());
        assertEquals(1, rd.hardState().getVote());
        handle(n1, storages.get(1L), rd, true);

        // Voters answer only after persisting their vote.
        for (Message req : rd.persistedMessages()) {
            RawNode voter = nodes.get(req.getTo());
            voter.step(req);
            Ready vr = voter.ready();
            assertTrue(vr.messages().isEmpty());
            assertEquals(1, vr.persistedMessages().size());
            assertEquals(1, vr.hardState().getVote());
            handle(voter, storages.get(req.getTo()), vr, true);
            n1.step(vr.persistedMessages().get(0));
        }
        assertEquals(StateType.LEADER, n1.raft.state);
        Ready lr = n1.ready();
        assertEquals(2, lr.messages().size());
        for (Message m : lr.messages()) {
            assertEquals(MessageType.MsgAppend, m.getMsgType());
        }
        assertTrue(lr.persistedMessages().isEmpty());
        assertEquals(1, lr.entries().size());

        // A follower's acknowledgement waits for its own persistence.
        RawNode n2 = nodes.get(2L);
        n2.step(lr.messages().get(0).getTo() == 2 ? lr.messages().get(0) : lr.messages().get(1));
        Ready fr = n2.ready();
        assertEquals(1, fr.entries().size());
        assertTrue(fr.messages().isEmpty());
        assertEquals(MessageType.MsgAppendResponse, fr.persistedMessages().get(0).getMsgType());
    }

    /** The leader commits with followers' acknowledgements even before its own fsync, if they form a quorum. */
    @Test
    void leaderCountsItselfOnlyOncePersisted() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        node.campaign();
        drain(node, s);
        long before = node.raft.raftLog.committed;
        node.propose(ByteString.copyFromUtf8("x"));
        Ready rd = node.ready();
        assertEquals(before, node.raft.raftLog.committed, "not committed before persistence");
        assertNull(rd.hardState());
        handle(node, s, rd, true);
        assertEquals(before + 1, node.raft.raftLog.committed, "committed on advance");
    }

    /**
     * Apply may lag commit: a conf change stays pending until the application reports it applied, even
     * though it was handed out in a Ready.
     */
    @Test
    void confChangePendingUntilApplied() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        node.campaign();
        drain(node, s);

        ConfChange add2 = ConfChange.newBuilder().setChangeType(ConfChangeType.AddNode).setNodeId(2).build();
        node.proposeConfChange(add2);
        Ready rd = node.ready();
        handle(node, s, rd, false);
        rd = node.ready();
        assertEquals(1, rd.committedEntries().size());
        Entry cc = rd.committedEntries().get(0);
        assertEquals(EntryType.EntryConfChange, cc.getEntryType());
        handle(node, s, rd, false); // handed out, not applied yet

        // A second change while the first is not applied becomes an empty normal entry.
        ConfChange add3 = ConfChange.newBuilder().setChangeType(ConfChangeType.AddNode).setNodeId(3).build();
        node.proposeConfChange(add3);
        Entry refused = node.raft.raftLog.unstableEntries().get(0);
        assertEquals(EntryType.EntryNormal, refused.getEntryType());
        assertTrue(refused.getData().isEmpty());

        node.applyConfChange(add2);
        node.advanceApply(cc.getIndex());
        assertEquals(List.of(1L, 2L), node.raft.tracker.voterIds());

        // Once applied, the next change is accepted.
        node.proposeConfChange(add3);
        List<Entry> unstable = node.raft.raftLog.unstableEntries();
        assertEquals(EntryType.EntryConfChange, unstable.get(unstable.size() - 1).getEntryType());
    }

    @Test
    void advanceApplyValidatesRange() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        node.campaign();
        drain(node, s);
        long applied = node.raft.raftLog.applied;
        assertThrows(IllegalArgumentException.class, () -> node.advanceApply(applied + 5));
        assertThrows(IllegalArgumentException.class, () -> node.advanceApply(applied - 1));
        assertEquals(applied, node.raft.raftLog.applied);
    }

    /** A ReadIndex waits until the leader has committed an entry of its term, then answers. */
    @Test
    void readIndexWaitsForCurrentTermCommit() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        node.campaign();
        byte[] ctx = {7, 7};
        node.readIndex(ctx);
        Ready rd = node.ready();
        assertTrue(rd.readStates().isEmpty(), "no read before an entry of the term is committed");
        handle(node, s, rd, true);
        rd = node.ready();
        assertEquals(List.of(new ReadState(1, ctx)), rd.readStates());
        handle(node, s, rd, true);
    }

    @Test
    void proposalsDroppedWithoutLeader() {
        RawNode node = new RawNode(newTestConfig(1, new long[] {1, 2, 3}, 10, 1, new MemoryStorage()));
        assertThrows(ProposalDroppedException.class, () -> node.propose(ByteString.copyFromUtf8("x")));
        assertThrows(ProposalDroppedException.class, () -> node.readIndex(new byte[] {1}));
        assertEquals(0, node.raft.raftLog.lastIndex());
    }

    @Test
    void statusShowsProgressOnlyOnLeader() {
        MemoryStorage s = new MemoryStorage();
        RawNode node = new RawNode(newTestConfigBuilder(1, new long[] {1}, 10, 1, s).build());
        assertTrue(node.status().progress().isEmpty());
        node.campaign();
        drain(node, s);
        Status st = node.status();
        assertEquals(StateType.LEADER, st.softState().state());
        assertEquals(1, st.progress().size());
        assertEquals(1, st.progress().get(1L).match());
        assertEquals(1, st.applied());
    }

    @Test
    void configValidation() {
        MemoryStorage s = new MemoryStorage();
        assertThrows(IllegalArgumentException.class, () -> Config.builder().id(0).storage(s).build());
        assertThrows(IllegalArgumentException.class, () -> Config.builder().id(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> Config.builder().id(1).storage(s).electionTick(1).heartbeatTick(1).build());
        assertThrows(IllegalArgumentException.class, () -> Config.builder().id(1).storage(s).peers(1, 1).build());
        assertThrows(IllegalArgumentException.class,
                () -> Config.builder().id(1).storage(s).peers(1, 2).learners(2).build());
        assertThrows(IllegalArgumentException.class,
                () -> Config.builder().id(1).storage(s).checkQuorum(false)
                        .readOnlyOption(ReadOnlyOption.LEASE_BASED).build());
        assertThrows(IllegalArgumentException.class, () -> Config.builder().id(1).storage(s).maxInflightMsgs(0).build());
        Config c = Config.builder().id(1).storage(s).build();
        assertTrue(c.preVote());
        assertTrue(c.checkQuorum());
        assertEquals(ReadOnlyOption.SAFE, c.readOnlyOption());
        assertEquals(64 * 1024, c.maxSizePerMsg());
        assertEquals(256, c.maxInflightMsgs());
    }
}
