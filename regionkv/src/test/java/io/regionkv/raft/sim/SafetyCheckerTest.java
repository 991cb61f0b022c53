package io.regionkv.raft.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.raft.sim.SafetyViolation.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The checker must notice each kind of broken history, and accept a sound one. */
class SafetyCheckerTest {

    /** A log given as a list of entries after a base (compaction point) of known term. */
    private record ListLog(long base, long baseTerm, List<Entry> ents) implements LogView {
        @Override
        public long baseIndex() {
            return base;
        }

        @Override
        public long lastIndex() {
            return base + ents.size();
        }

        @Override
        public long term(long i) {
            return i == base ? baseTerm : ents.get((int) (i - base - 1)).getTerm();
        }

        @Override
        public List<Entry> entries(long lo, long hi) {
            return ents.subList((int) (lo - base - 1), (int) (hi - base - 1));
        }
    }

    private static Entry e(long index, long term, String data) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8(data)).build();
    }

    /** A log from index 1 holding one entry per given term, with data "i/t". */
    private static ListLog log(long... terms) {
        List<Entry> ents = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            ents.add(e(i + 1, terms[i], (i + 1) + "/" + terms[i]));
        }
        return new ListLog(0, 0, ents);
    }

    private static void assertViolation(Property expected, Executable broken) {
        SafetyViolation v = assertThrows(SafetyViolation.class, broken);
        assertEquals(expected, v.property, v.getMessage());
    }

    @Test
    void twoNodesCommittingDifferentEntriesAtOneIndexIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeCommitted(1, 2, e(7, 2, "a"));
        assertViolation(Property.STATE_MACHINE_SAFETY, () -> c.observeCommitted(2, 3, e(7, 3, "b")));
    }

    @Test
    void twoLeadersInOneTermAreCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeRole(1, 4, true);
        c.observeRole(2, 4, false);
        c.observeRole(1, 4, true);
        assertViolation(Property.ELECTION_SAFETY, () -> c.observeRole(2, 4, true));
    }

    @Test
    void oneEntryIdWithTwoContentsIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeEntries(0, 0, List.of(e(1, 1, "x"), e(2, 1, "y")), "node 1");
        c.observeEntries(1, 1, List.of(e(2, 1, "y")), "node 2");
        assertViolation(Property.LOG_MATCHING,
                () -> c.observeEntries(1, 1, List.of(e(2, 1, "z")), "node 3"));
    }

    @Test
    void oneEntryIdAfterDifferentPredecessorsIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeEntries(4, 2, List.of(e(5, 3, "x")), "node 1");
        assertViolation(Property.LOG_MATCHING, () -> c.observeEntries(4, 1, List.of(e(5, 3, "x")), "node 2"));
    }

    @Test
    void logsSharingAnEntryButDifferingBeforeItAreCaught() {
        SafetyChecker c = new SafetyChecker();
        ListLog a = log(1, 1, 2, 3);
        List<Entry> forged = new ArrayList<>(a.ents());
        forged.set(1, e(2, 1, "forged"));
        ListLog b = new ListLog(0, 0, forged);
        assertDoesNotThrow(() -> c.checkLogMatching(Map.of(1L, a, 2L, log(1, 1, 2, 4, 4))));
        assertViolation(Property.LOG_MATCHING, () -> c.checkLogMatching(Map.of(1L, a, 2L, b)));
    }

    @Test
    void aLeaderOverwritingItsOwnLogIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeLeaderLog(1, 3, log(1, 2, 3), false, List.of(e(3, 3, "3/3")));
        List<Entry> more = List.of(e(4, 3, "4/3"));
        c.observeLeaderLog(1, 3, log(1, 2, 3, 3), false, more);
        assertViolation(Property.LEADER_APPEND_ONLY,
                () -> c.observeLeaderLog(1, 3, log(1, 2, 3, 2), false, List.of(e(4, 2, "old"))));
    }

    @Test
    void aLeaderLosingEntriesIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeLeaderLog(1, 3, log(1, 2, 3, 3), false, List.of());
        assertViolation(Property.LEADER_APPEND_ONLY, () -> c.observeLeaderLog(1, 3, log(1, 2, 3), false, List.of()));
    }

    @Test
    void aLeaderElectedWithoutACommittedEntryIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeCommitted(1, 2, e(3, 2, "3/2"));
        // A leader of term 3 whose log has another entry at index 3 lacks the committed one.
        assertViolation(Property.LEADER_COMPLETENESS, () -> c.observeLeaderLog(2, 3, log(1, 1, 3), false, List.of()));
    }

    @Test
    void aCommitReportedAfterALaterLeaderWasSeenIsCheckedAgainstIt() {
        SafetyChecker c = new SafetyChecker();
        c.observeLeaderLog(2, 5, log(1, 1), false, List.of());
        // Committed in term 4 but only reported now: the leader of term 5 must have had it.
        assertViolation(Property.LEADER_COMPLETENESS, () -> c.observeCommitted(1, 4, e(3, 4, "3/4")));
    }

    @Test
    void aCommitReportedLateByAnotherNodeIsNotAFalseAlarm() {
        SafetyChecker c = new SafetyChecker();
        // The leader of term 5 committed entry 3 of term 5; a follower reports it in term 6, when the
        // leader of term 6 has it too.
        c.observeLeaderLog(1, 5, log(1, 1), false, List.of(e(3, 5, "3/5")));
        c.observeCommitted(1, 5, e(3, 5, "3/5"));
        c.observeLeaderLog(2, 6, log(1, 1, 5, 6), false, List.of());
        assertDoesNotThrow(() -> c.observeCommitted(3, 6, e(3, 5, "3/5")));
    }

    @Test
    void aLeaderCommittingAnOlderTermsEntryIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeLeaderCommit(1, 4, 7, 4);
        assertViolation(Property.LEADER_COMMIT_RULE, () -> c.observeLeaderCommit(1, 4, 8, 2));
    }

    @Test
    void differentEntriesAppliedAtOneIndexAreCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeCommitted(1, 1, e(1, 1, "a"));
        c.observeApplied(1, e(1, 1, "a"), 42);
        assertViolation(Property.STATE_MACHINE_SAFETY, () -> c.observeApplied(2, e(1, 1, "b"), 42));
    }

    @Test
    void applyingAnUncommittedEntryIsCaught() {
        SafetyChecker c = new SafetyChecker();
        assertViolation(Property.STATE_MACHINE_SAFETY, () -> c.observeApplied(1, e(1, 1, "a"), 42));
    }

    @Test
    void divergingStateDigestsAreCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeDigest(1, 10, 1234);
        assertViolation(Property.STATE_MACHINE_SAFETY, () -> c.observeSnapshotInstalled(2, 10, 3, 999));
    }

    @Test
    void aStaleReadIndexIsCaught() {
        SafetyChecker c = new SafetyChecker();
        c.observeReadIndex(1, "r1", 10, 10);
        assertViolation(Property.LINEARIZABLE_READ, () -> c.observeReadIndex(1, "r2", 10, 9));
    }

    @Test
    void aSoundHistoryPasses() {
        SafetyChecker c = new SafetyChecker();
        assertDoesNotThrow(() -> {
            c.observeRole(1, 1, true);
            c.observeEntries(0, 0, log(1, 1).ents(), "node 1");
            c.observeLeaderLog(1, 1, log(1, 1), false, log(1, 1).ents());
            c.observeCommitted(1, 1, e(1, 1, "1/1"));
            c.observeCommitted(2, 1, e(1, 1, "1/1"));
            c.observeApplied(1, e(1, 1, "1/1"), StateMachine.fold(0, e(1, 1, "1/1")));
            c.observeApplied(2, e(1, 1, "1/1"), StateMachine.fold(0, e(1, 1, "1/1")));
            // Node 2 takes over in term 2 with both entries of term 1, overwriting node 1's uncommitted one.
            c.observeRole(2, 2, true);
            c.observeLeaderLog(2, 2, log(1, 1), false, List.of());
            c.observeEntries(2, 1, List.of(e(3, 2, "3/2")), "node 2");
            c.observeLeaderLog(2, 2, log(1, 1, 2), false, List.of(e(3, 2, "3/2")));
            c.observeCommitted(2, 2, e(2, 1, "2/1"));
            c.observeCommitted(2, 2, e(3, 2, "3/2"));
            c.observeReadIndex(2, "r", 3, 3);
            c.checkLogMatching(Map.of(1L, log(1, 1, 2), 2L, log(1, 1, 2), 3L, log(1)));
        });
    }
}
