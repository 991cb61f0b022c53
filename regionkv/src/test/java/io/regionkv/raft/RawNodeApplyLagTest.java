package io.regionkv.raft;

import static io.regionkv.raft.RaftFixtures.confChange;
import static io.regionkv.raft.RaftTestUtil.newTestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The "apply may lag commit" contract of DESIGN.md, through {@link RawNode}: entries handed out in a
 * Ready are being applied, not applied, until {@link RawNode#advanceApply}; membership changes and
 * ReadIndex readiness go by the applied index the application reports.
 */
class RawNodeApplyLagTest {

    /** A single-node leader with its empty entry committed and applied. */
    private static RawNode soloLeader(MemoryStorage s) {
        RawNode n = new RawNode(newTestConfig(1, new long[] {1}, 10, 1, s));
        n.campaign();
        RawNodeDriver.drain(n, s);
        assertEquals(StateType.LEADER, n.raft.state);
        assertEquals(1, n.status().applied());
        return n;
    }

    /** Persists and advances a Ready without applying anything from it. */
    private static void persistAndAdvance(RawNode n, MemoryStorage s, Ready rd) {
        RawNodeDriver.persist(s, rd);
        n.advance(rd);
    }

    @Test
    void committedEntriesAreNotAppliedUntilAdvanceApply() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = soloLeader(s);

        n.propose(ByteString.copyFromUtf8("a"));
        persistAndAdvance(n, s, n.ready());
        Ready rd = n.ready();
        assertEquals(List.of("a"), data(rd.committedEntries()));
        persistAndAdvance(n, s, rd);
        // Handed out and committed, but the application has not said it applied "a".
        assertEquals(2, n.status().hardState().getCommit());
        assertEquals(1, n.status().applied());
        assertFalse(n.hasReady(), "entries being applied are not handed out again");

        n.propose(ByteString.copyFromUtf8("b"));
        persistAndAdvance(n, s, n.ready());
        rd = n.ready();
        assertEquals(List.of("b"), data(rd.committedEntries()), "only what was not handed out yet");
        persistAndAdvance(n, s, rd);
        assertEquals(1, n.status().applied());

        // The application catches up, in one report for both entries.
        n.advanceApply(3);
        assertEquals(3, n.status().applied());
        assertFalse(n.hasReady());
    }

    /** A pending membership change blocks the next one until advanceApply passes it, not until it commits. */
    @Test
    void pendingConfChangeBlocksSecondUntilApplied() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = soloLeader(s);
        ConfChange cc1 = confChange(ConfChangeType.AddLearnerNode, 2);
        ConfChange cc2 = confChange(ConfChangeType.AddLearnerNode, 3);

        n.proposeConfChange(cc1);
        persistAndAdvance(n, s, n.ready());
        Ready rd = n.ready();
        assertEquals(1, rd.committedEntries().size());
        Entry e1 = rd.committedEntries().get(0);
        assertEquals(EntryType.EntryConfChange, e1.getEntryType());
        // The application applies the change but has not reported it yet.
        RawNodeDriver.applyConfChanges(n, rd);
        persistAndAdvance(n, s, rd);

        n.proposeConfChange(cc2);
        rd = n.ready();
        assertEquals(1, rd.entries().size());
        Entry refused = rd.entries().get(0);
        assertEquals(EntryType.EntryNormal, refused.getEntryType(), "a second change while one is pending");
        assertTrue(refused.getData().isEmpty());
        persistAndAdvance(n, s, rd);
        // The empty entry commits and is handed out too; still nothing reported applied.
        rd = n.ready();
        assertEquals(List.of(refused.getIndex()), rd.committedEntries().stream().map(Entry::getIndex).toList());
        persistAndAdvance(n, s, rd);
        n.proposeConfChange(cc2);
        rd = n.ready();
        assertEquals(EntryType.EntryNormal, rd.entries().get(0).getEntryType(), "still pending");
        persistAndAdvance(n, s, rd);
        persistAndAdvance(n, s, n.ready());

        // Reported applied: now the same change goes through.
        n.advanceApply(e1.getIndex());
        n.proposeConfChange(cc2);
        rd = n.ready();
        assertEquals(EntryType.EntryConfChange, rd.entries().get(0).getEntryType());
        assertEquals(cc2.toByteString(), rd.entries().get(0).getData());
        RawNodeDriver.handle(n, s, rd);
        RawNodeDriver.drain(n, s);
        assertEquals(List.of(2L, 3L), n.raft.tracker.learnerIds());
    }

    /** On a lone leader the read index is its commit index; serving it waits for the application. */
    @Test
    void readIndexReadinessIsTheCallersJob() {
        MemoryStorage s = new MemoryStorage();
        RawNode n = soloLeader(s);

        n.propose(ByteString.copyFromUtf8("x"));
        persistAndAdvance(n, s, n.ready());
        Ready rd = n.ready();
        long xIndex = rd.committedEntries().get(0).getIndex();
        persistAndAdvance(n, s, rd);

        n.readIndex("r1".getBytes(StandardCharsets.UTF_8));
        rd = n.ready();
        assertEquals(List.of(new ReadState(xIndex, "r1".getBytes(StandardCharsets.UTF_8))), rd.readStates());
        persistAndAdvance(n, s, rd);
        // The read must see "x", which is committed but not yet applied: not servable yet.
        assertTrue(n.status().applied() < rd.readStates().get(0).index());

        n.advanceApply(xIndex);
        assertTrue(n.status().applied() >= rd.readStates().get(0).index());
    }

    /**
     * In a group: a follower whose apply step is slow gets a read index from the leader that is ahead of
     * what it has applied; it serves the read only after reporting the apply.
     */
    @Test
    void followerReadIndexAheadOfSlowApply() {
        RawNodeDriver g = RawNodeDriver.group(3);
        g.node(1).campaign();
        g.stabilize();
        RawNode follower = g.node(2);
        long appliedBefore = follower.status().applied();

        g.holdApply(2);
        g.node(1).propose(ByteString.copyFromUtf8("x"));
        g.stabilize();
        long committed = g.node(1).status().hardState().getCommit();
        assertEquals(committed, follower.status().hardState().getCommit(), "the follower knows x is committed");
        assertEquals(appliedBefore, follower.status().applied(), "... but has not reported applying it");

        int before = g.handled(2).size();
        follower.readIndex("r".getBytes(StandardCharsets.UTF_8));
        g.stabilize();
        ReadState rs = g.handled(2).subList(before, g.handled(2).size()).stream()
                .flatMap(r -> r.readStates().stream()).findFirst().orElse(null);
        assertNotNull(rs, "the follower received the leader's answer");
        assertEquals(committed, rs.index());
        assertTrue(follower.status().applied() < rs.index(), "not servable before the apply is reported");

        g.releaseApply(2);
        assertTrue(follower.status().applied() >= rs.index());
    }

    private static List<String> data(List<Entry> ents) {
        return ents.stream().map(e -> e.getData().toStringUtf8()).toList();
    }
}
