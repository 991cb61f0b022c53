package io.regionkv.testkit;

import static io.regionkv.testkit.Operation.delete;
import static io.regionkv.testkit.Operation.get;
import static io.regionkv.testkit.Operation.pendingDelete;
import static io.regionkv.testkit.Operation.pendingPut;
import static io.regionkv.testkit.Operation.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.testkit.CheckResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Small histories whose verdict is known by hand. Times are arbitrary nanos; clients are c0, c1, ... */
class LinearizabilityCheckerTest {

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private void assertVerdict(Outcome expected, List<Operation> history) {
        CheckResult result = checker.check(history);
        assertEquals(expected, result.outcome(), () -> "for " + history + "\n" + result);
    }

    // ---- linearizable

    @Test
    void emptyHistoryIsLinearizable() {
        assertVerdict(Outcome.OK, List.of());
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        assertVerdict(Outcome.OK, List.of(
                get(0, "x", null, 0, 5),
                put(0, "x", "1", 10, 20),
                get(1, "x", "1", 30, 40),
                put(1, "x", "2", 50, 60),
                get(0, "x", "2", 70, 80),
                delete(0, "x", 90, 100),
                get(1, "x", null, 110, 120)));
    }

    @Test
    void readAfterOverlappingPutsMaySeeEither() {
        for (String seen : new String[] {"1", "2"}) {
            assertVerdict(Outcome.OK, List.of(
                    put(0, "x", "1", 0, 100),
                    put(1, "x", "2", 10, 90),
                    get(2, "x", seen, 120, 130)));
        }
    }

    @Test
    void readDuringWriteMaySeeOldOrNew() {
        for (String seen : new String[] {"1", "2"}) {
            assertVerdict(Outcome.OK, List.of(
                    put(0, "x", "1", 0, 10),
                    put(0, "x", "2", 20, 100),
                    get(1, "x", seen, 30, 40)));
        }
        assertVerdict(Outcome.OK, List.of(
                put(0, "x", "1", 0, 100),
                get(1, "x", null, 10, 20),
                get(1, "x", "1", 30, 40)));
    }

    @Test
    void readsDuringWriteMaySeeOldThenNew() {
        assertVerdict(Outcome.OK, List.of(
                put(0, "x", "1", 0, 10),
                put(0, "x", "2", 20, 100),
                get(1, "x", "1", 30, 40),
                get(1, "x", "2", 50, 60)));
    }

    @Test
    void readLinearizedBeforeAConcurrentWriteThatIsOrderedFirstByInvocation() {
        // The write is invoked first but the read may still take effect first: only returns bind.
        assertVerdict(Outcome.OK, List.of(
                put(0, "x", "1", 0, 50),
                get(1, "x", null, 10, 60),
                get(2, "x", "1", 20, 30)));
    }

    @Test
    void touchingIntervalsCountAsConcurrent() {
        // Equal return and invoke times are read as overlap, so a coarse clock gives no false alarm.
        assertVerdict(Outcome.OK, List.of(put(0, "x", "1", 0, 10), get(1, "x", null, 10, 20)));
        assertVerdict(Outcome.ILLEGAL, List.of(put(0, "x", "1", 0, 10), get(1, "x", null, 11, 20)));
    }

    @Test
    void initialValuesAreReadable() {
        List<Operation> history = List.of(get(0, "x", "seed", 0, 10), put(0, "x", "1", 20, 30));
        assertEquals(Outcome.OK, checker.check(history, Map.of("x", "seed")).outcome());
        assertEquals(Outcome.ILLEGAL, checker.check(history).outcome());
    }

    // ---- not linearizable

    @Test
    void staleReadAfterAWriteReturnedIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(
                put(0, "x", "1", 0, 10),
                put(0, "x", "2", 20, 30),
                get(1, "x", "1", 40, 50)));
    }

    @Test
    void readOfANeverWrittenValueIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(put(0, "x", "1", 0, 10), get(1, "x", "phantom", 5, 50)));
        assertVerdict(Outcome.ILLEGAL, List.of(get(1, "y", "phantom", 5, 50)));
    }

    @Test
    void readOfAValueWrittenOnlyLaterIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(get(1, "x", "1", 0, 10), put(0, "x", "1", 20, 30)));
    }

    @Test
    void newThenOldAcrossNonOverlappingReadsIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(
                put(0, "x", "1", 0, 10),
                put(0, "x", "2", 20, 100),
                get(1, "x", "2", 30, 40),
                get(2, "x", "1", 50, 60)));
    }

    @Test
    void lostAcknowledgedWriteIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(put(0, "x", "1", 0, 10), get(1, "x", null, 20, 30)));
        assertVerdict(Outcome.ILLEGAL, List.of(
                put(0, "x", "1", 0, 10),
                delete(0, "x", 20, 30),
                get(1, "x", "1", 40, 50)));
    }

    @Test
    void illegalVerdictExplainsWhereTheSearchGotStuck() {
        CheckResult result = checker.check(List.of(
                put(0, "x", "1", 0, 10),
                put(0, "x", "2", 20, 30),
                get(1, "x", "1", 40, 50)));
        String why = result.perKey().get("x").explanation();
        assertTrue(why.contains("2 of 3 operations"), why);
        assertTrue(why.contains("value is then '2'"), why);
        assertTrue(why.contains("GET x -> '1'"), why);
        assertTrue(result.toString().contains(why), result.toString());
    }

    // ---- pending operations

    @Test
    void pendingPutWhoseValueLaterAppearsIsLinearizable() {
        assertVerdict(Outcome.OK, List.of(
                pendingPut(0, "x", "1", 0),
                get(1, "x", null, 10, 20),
                get(1, "x", "1", 100, 110),
                get(2, "x", "1", 120, 130)));
    }

    @Test
    void pendingPutThatNeverAppearsIsLinearizable() {
        assertVerdict(Outcome.OK, List.of(
                put(1, "x", "0", 0, 5),
                pendingPut(0, "x", "1", 10),
                get(1, "x", "0", 100, 110)));
    }

    @Test
    void valueOfAPendingPutThatAppearsThenDisappearsIsIllegal() {
        assertVerdict(Outcome.ILLEGAL, List.of(
                pendingPut(0, "x", "1", 0),
                get(1, "x", "1", 10, 20),
                get(1, "x", null, 30, 40)));
    }

    @Test
    void appearingThenDisappearingIsFineWithAnotherPendingWriter() {
        assertVerdict(Outcome.OK, List.of(
                pendingPut(0, "x", "1", 0),
                pendingDelete(2, "x", 5),
                get(1, "x", "1", 10, 20),
                get(1, "x", null, 30, 40)));
    }

    @Test
    void pendingPutCannotTakeEffectBeforeItsInvocation() {
        assertVerdict(Outcome.ILLEGAL, List.of(get(1, "x", "1", 0, 10), pendingPut(0, "x", "1", 20)));
    }

    @Test
    void pendingReadIsIgnored() {
        Operation pendingGet = new Operation(3, Operation.Kind.GET, "x", null, null, 0, Operation.PENDING);
        assertVerdict(Outcome.OK, List.of(pendingGet, put(0, "x", "1", 0, 10)));
        assertEquals(0, checker.check(List.of(pendingGet)).perKey().get("x").operations());
    }

    // ---- keys are independent

    @Test
    void keysAreCheckedIndependently() {
        CheckResult ok = checker.check(List.of(
                put(0, "x", "1", 0, 10),
                put(1, "y", "2", 0, 10),
                get(2, "x", "1", 20, 30),
                get(2, "y", "2", 20, 30)));
        assertEquals(Outcome.OK, ok.outcome(), ok::toString);
        assertEquals(2, ok.perKey().size());

        // The same values on the wrong keys: x never had '2' and y lost its write.
        CheckResult crossed = checker.check(List.of(
                put(0, "x", "1", 0, 10),
                put(1, "y", "2", 0, 10),
                put(1, "z", "3", 0, 10),
                get(2, "x", "2", 20, 30),
                get(2, "y", null, 20, 30),
                get(2, "z", "3", 20, 30)));
        assertEquals(Outcome.ILLEGAL, crossed.outcome());
        assertEquals(Outcome.ILLEGAL, crossed.perKey().get("x").outcome());
        assertEquals(Outcome.ILLEGAL, crossed.perKey().get("y").outcome());
        assertEquals(Outcome.OK, crossed.perKey().get("z").outcome());
        assertEquals(2, crossed.problems().size());
    }

    // ---- budgets and combined verdicts

    @Test
    void exhaustedBudgetIsUnknownAndIllegalStillWins() {
        LinearizabilityChecker broke = new LinearizabilityChecker(Duration.ZERO, 1_000);
        List<Operation> fine = List.of(put(0, "x", "1", 0, 10), get(1, "x", "1", 20, 30));
        assertEquals(Outcome.UNKNOWN, broke.check(fine).outcome());

        // A read of a never-written value needs no search, so it is decided even with no budget.
        List<Operation> mixed = List.of(put(0, "x", "1", 0, 10), get(1, "y", "zzz", 20, 30));
        CheckResult result = broke.check(mixed);
        assertEquals(Outcome.ILLEGAL, result.outcome());
        assertEquals(Outcome.UNKNOWN, result.perKey().get("x").outcome());
        assertEquals(Outcome.ILLEGAL, result.perKey().get("y").outcome());
    }

    @Test
    void exhaustedMemoBudgetIsUnknown() {
        LinearizabilityChecker tiny = new LinearizabilityChecker(Duration.ofSeconds(10), 100);
        CheckResult result = tiny.check(List.of(
                put(0, "x", "1", 0, 10), get(1, "x", "1", 20, 30), get(1, "x", "1", 40, 50)));
        assertEquals(Outcome.UNKNOWN, result.outcome(), result::toString);
        assertTrue(result.perKey().get("x").explanation().contains("memo budget"));
    }

    @Test
    void outcomesCombineWithIllegalOverUnknownOverOk() {
        assertEquals(Outcome.ILLEGAL, Outcome.OK.and(Outcome.ILLEGAL));
        assertEquals(Outcome.ILLEGAL, Outcome.UNKNOWN.and(Outcome.ILLEGAL));
        assertEquals(Outcome.UNKNOWN, Outcome.OK.and(Outcome.UNKNOWN));
        assertEquals(Outcome.OK, Outcome.OK.and(Outcome.OK));
    }

    // ---- scans as per-key reads

    @Test
    void scanBecomesOneReadPerKeyWithAbsentForMissingKeys() {
        List<Operation> gets = ScanObservations.toGets(4, List.of("a", "b", "c"), Map.of("b", "2"), 100, 200);
        assertEquals(List.of(get(4, "a", null, 100, 200), get(4, "b", "2", 100, 200), get(4, "c", null, 100, 200)),
                gets);
    }

    @Test
    void scanReadsAreChecked() {
        List<Operation> history = new java.util.ArrayList<>(List.of(
                put(0, "a", "1", 0, 10), put(0, "b", "2", 0, 10)));
        history.addAll(ScanObservations.toGets(1, List.of("a", "b", "c"), Map.of("a", "1", "b", "2"), 20, 30));
        assertVerdict(Outcome.OK, history);
        history.addAll(ScanObservations.toGets(1, List.of("a", "b"), Map.of("a", "1"), 40, 50));
        assertVerdict(Outcome.ILLEGAL, history);
    }

    @Test
    void scanResultOutsideItsKeySetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScanObservations.toGets(0, List.of("a"), Map.of("z", "1"), 0, 1));
        assertTrue(e.getMessage().contains("'z'"));
        assertThrows(IllegalArgumentException.class,
                () -> ScanObservations.toGets(0, List.of("a", "a"), Map.of(), 0, 1));
    }

    // ---- bad input

    @Test
    void malformedOperationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> put(0, "x", "1", 10, 5));
        assertThrows(IllegalArgumentException.class, () -> put(0, "x", null, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new Operation(0, Operation.Kind.GET, "x", "in", null, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new Operation(0, Operation.Kind.DELETE, "x", null, "out", 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new Operation(0, Operation.Kind.GET, "x", null, "out", 0, Operation.PENDING));
        assertThrows(NullPointerException.class, () -> put(0, null, "1", 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new LinearizabilityChecker(Duration.ofSeconds(-1), 10));
        assertThrows(IllegalArgumentException.class, () -> new LinearizabilityChecker(Duration.ofSeconds(1), 0));
    }

    @Test
    void bytesMapToStringsAndBackWithoutLoss() {
        byte[] raw = new byte[256];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) i;
        }
        assertEquals(256, Operation.text(raw).length());
        assertTrue(java.util.Arrays.equals(raw, Operation.bytes(Operation.text(raw))));
        assertEquals(null, Operation.text(null));
    }
}
