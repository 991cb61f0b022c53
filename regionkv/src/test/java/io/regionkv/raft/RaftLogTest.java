package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.storageWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log: stable storage plus the unstable tail, conflict detection and the cursors. */
class RaftLogTest {

    private static RaftLog log(Entry... stored) {
        return new RaftLog(storageWith(stored), Long.MAX_VALUE);
    }

    @Test
    void findConflict() {
        List<Entry> prev = List.of(entry(1, 1), entry(2, 2), entry(3, 3));
        record Case(List<Entry> ents, long wconflict) {}
        List<Case> cases = List.of(
                new Case(List.of(), 0),
                new Case(List.of(entry(1, 1), entry(2, 2), entry(3, 3)), 0),
                new Case(List.of(entry(2, 2), entry(3, 3)), 0),
                new Case(List.of(entry(3, 3)), 0),
                new Case(List.of(entry(1, 1), entry(2, 2), entry(3, 3), entry(4, 4), entry(5, 4)), 4),
                new Case(List.of(entry(4, 4), entry(5, 4)), 4),
                new Case(List.of(entry(1, 4), entry(2, 4)), 1),
                new Case(List.of(entry(2, 1), entry(3, 4), entry(4, 4)), 2),
                new Case(List.of(entry(3, 1), entry(4, 2), entry(5, 4), entry(6, 4)), 3));
        for (int i = 0; i < cases.size(); i++) {
            RaftLog l = log();
            l.append(prev);
            assertEquals(cases.get(i).wconflict, l.findConflict(cases.get(i).ents), "#" + i);
        }
    }

    @Test
    void findConflictByTerm() {
        // Terms: 1 1 1 4 4 5 5 6 6 6 (indexes 1..10)
        RaftLog l = log(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 4), entry(5, 4), entry(6, 5), entry(7, 5),
                entry(8, 6), entry(9, 6), entry(10, 6));
        assertEquals(10, l.findConflictByTerm(10, 6));
        assertEquals(7, l.findConflictByTerm(10, 5));
        assertEquals(5, l.findConflictByTerm(10, 4));
        assertEquals(3, l.findConflictByTerm(10, 3));
        assertEquals(3, l.findConflictByTerm(5, 2));
        assertEquals(0, l.findConflictByTerm(10, 0));
        assertEquals(12, l.findConflictByTerm(12, 7)); // beyond the log: keep the index
    }

    @Test
    void isUpToDate() {
        RaftLog l = log();
        l.append(List.of(entry(1, 1), entry(2, 2), entry(3, 3)));
        assertTrue(l.isUpToDate(2, 4)); // greater term
        assertTrue(l.isUpToDate(3, 4));
        assertTrue(l.isUpToDate(4, 4));
        assertFalse(l.isUpToDate(2, 2)); // smaller term
        assertFalse(l.isUpToDate(4, 2));
        assertFalse(l.isUpToDate(2, 3)); // same term, shorter
        assertTrue(l.isUpToDate(3, 3));
        assertTrue(l.isUpToDate(4, 3));
    }

    @Test
    void maybeAppend() {
        List<Entry> prev = List.of(entry(1, 1), entry(2, 2), entry(3, 3));
        long lastIndex = 3;
        long lastTerm = 3;
        long commit = 1;
        record Case(long logTerm, long index, long committed, List<Entry> ents, long wlasti, long wcommit,
                boolean wpanic) {}
        List<Case> cases = List.of(
                // not a match: term differs, or index beyond the log
                new Case(lastTerm - 1, lastIndex, lastIndex, List.of(entry(lastIndex + 1, 4)), -1, commit, false),
                new Case(lastTerm, lastIndex + 1, lastIndex, List.of(entry(lastIndex + 2, 4)), -1, commit, false),
                // match with the last entry
                new Case(lastTerm, lastIndex, lastIndex, List.of(), lastIndex, lastIndex, false),
                new Case(lastTerm, lastIndex, lastIndex + 1, List.of(), lastIndex, lastIndex, false),
                new Case(lastTerm, lastIndex, lastIndex - 1, List.of(), lastIndex, lastIndex - 1, false),
                new Case(lastTerm, lastIndex, 0, List.of(), lastIndex, commit, false),
                new Case(0, 0, lastIndex, List.of(), 0, commit, false),
                new Case(lastTerm, lastIndex, lastIndex, List.of(entry(lastIndex + 1, 4)), lastIndex + 1, lastIndex,
                        false),
                new Case(lastTerm, lastIndex, lastIndex + 1, List.of(entry(lastIndex + 1, 4)), lastIndex + 1,
                        lastIndex + 1, false),
                new Case(lastTerm, lastIndex, lastIndex + 2, List.of(entry(lastIndex + 1, 4)), lastIndex + 1,
                        lastIndex + 1, false),
                new Case(lastTerm, lastIndex, lastIndex + 2, List.of(entry(lastIndex + 1, 4), entry(lastIndex + 2, 4)),
                        lastIndex + 2, lastIndex + 2, false),
                // match with an entry in the middle
                new Case(lastTerm - 1, lastIndex - 1, lastIndex, List.of(entry(lastIndex, 4)), lastIndex, lastIndex,
                        false),
                new Case(lastTerm - 2, lastIndex - 2, lastIndex, List.of(entry(lastIndex - 1, 4)), lastIndex - 1,
                        lastIndex - 1, false),
                // conflict with a committed entry
                new Case(lastTerm - 3, lastIndex - 3, lastIndex, List.of(entry(lastIndex - 2, 4)), lastIndex - 2,
                        lastIndex - 2, true),
                new Case(lastTerm - 2, lastIndex - 2, lastIndex, List.of(entry(lastIndex - 1, 4), entry(lastIndex, 4)),
                        lastIndex, lastIndex, false));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            RaftLog l = log();
            l.append(prev);
            l.committed = commit;
            if (c.wpanic) {
                assertThrows(IllegalStateException.class,
                        () -> l.maybeAppend(c.index, c.logTerm, c.committed, c.ents), "#" + i);
                continue;
            }
            long glasti = l.maybeAppend(c.index, c.logTerm, c.committed, c.ents);
            assertEquals(c.wlasti, glasti, "#" + i);
            assertEquals(c.wcommit, l.committed, "#" + i);
            if (glasti >= 0 && !c.ents.isEmpty()) {
                assertEquals(c.ents, l.slice(l.lastIndex() - c.ents.size() + 1, l.lastIndex() + 1, Long.MAX_VALUE),
                        "#" + i);
            }
        }
    }

    @Test
    void appendTruncatesConflictingUnstableTail() {
        RaftLog l = log(entry(1, 1), entry(2, 2));
        assertEquals(3, l.append(List.of(entry(3, 2))));
        assertEquals(List.of(entry(3, 2)), l.unstableEntries());
        assertEquals(2, l.append(List.of(entry(2, 3))));
        assertEquals(List.of(entry(1, 1), entry(2, 3)), l.allEntries());
        assertEquals(2, l.unstable.offset);
        assertEquals(1, l.persistedIndex());
        l.committed = 1;
        assertThrows(IllegalStateException.class, () -> l.append(List.of(entry(1, 4))));
    }

    @Test
    void stableToIgnoresReplacedEntries() {
        RaftLog l = log();
        l.append(List.of(entry(1, 1), entry(2, 1)));
        l.stableTo(1, 1);
        assertEquals(2, l.unstable.offset);
        assertEquals(List.of(entry(2, 1)), l.unstableEntries());
        l.stableTo(2, 2); // wrong term: that entry is not the one that was persisted
        assertEquals(List.of(entry(2, 1)), l.unstableEntries());
        l.stableTo(2, 1);
        assertTrue(l.unstableEntries().isEmpty());
        assertEquals(2, l.persistedIndex());
    }

    @Test
    void commitToNeverGoesBackNorBeyondLastIndex() {
        RaftLog l = log(entry(1, 1), entry(2, 2), entry(3, 3));
        l.commitTo(3);
        l.commitTo(1);
        assertEquals(3, l.committed);
        assertThrows(IllegalStateException.class, () -> l.commitTo(4));
    }

    @Test
    void nextCommittedEntsFollowApplyingAndApplied() {
        RaftLog l = log(entry(1, 1), entry(2, 1), entry(3, 1));
        l.append(List.of(entry(4, 1), entry(5, 1)));
        l.commitTo(5);
        assertEquals(5, l.nextCommittedEnts().size());
        l.acceptApplying(3);
        assertEquals(List.of(entry(4, 1), entry(5, 1)), l.nextCommittedEnts());
        assertEquals(0, l.applied);
        l.appliedTo(2);
        assertEquals(3, l.applying);
        l.acceptApplying(5);
        assertFalse(l.hasNextCommittedEnts());
        assertThrows(IllegalArgumentException.class, () -> l.appliedTo(1));
        assertThrows(IllegalArgumentException.class, () -> l.appliedTo(6));
        l.appliedTo(5);
        assertEquals(5, l.applied);
    }

    @Test
    void sliceSpansStorageAndUnstableAndRespectsSize() {
        MemoryStorage s = storageWith(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1));
        s.compact(2);
        RaftLog l = new RaftLog(s, Long.MAX_VALUE);
        l.append(List.of(entry(5, 2), entry(6, 2)));
        assertEquals(3, l.firstIndex());
        assertEquals(6, l.lastIndex());
        assertEquals(List.of(entry(3, 1), entry(4, 1), entry(5, 2), entry(6, 2)), l.slice(3, 7, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 1), entry(5, 2)), l.slice(4, 6, Long.MAX_VALUE));
        long one = entry(3, 1).getSerializedSize();
        assertEquals(List.of(entry(3, 1)), l.slice(3, 7, 0)); // always at least one
        assertEquals(List.of(entry(3, 1), entry(4, 1)), l.slice(3, 7, 2 * one));
        assertEquals(List.of(entry(5, 2)), l.slice(5, 7, one));
        assertThrows(CompactedException.class, () -> l.slice(2, 4, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> l.slice(5, 8, Long.MAX_VALUE));
        assertEquals(1, l.term(2)); // the dummy entry still answers
        assertThrows(CompactedException.class, () -> l.term(1));
        assertThrows(UnavailableException.class, () -> l.term(7));
        assertEquals(0, l.termOrZero(7));
    }

    @Test
    void restoreFromSnapshot() {
        RaftLog l = log(entry(1, 1), entry(2, 1));
        Snapshot snap = Snapshot.newBuilder()
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(10).setTerm(3)).build();
        l.restore(snap);
        assertEquals(10, l.committed);
        assertEquals(11, l.firstIndex());
        assertEquals(10, l.lastIndex());
        assertEquals(3, l.term(10));
        assertTrue(l.hasPendingSnapshot());
        assertFalse(l.hasNextCommittedEnts());
        assertEquals(0, l.persistedIndex());
        l.append(List.of(entry(11, 3)));
        assertEquals(11, l.lastIndex());
        l.stableSnapTo(10);
        assertFalse(l.hasPendingSnapshot());
    }
}
