package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failure report narrows a long non-linearizable history to the operations that conflict. */
class FailingWindowTest {

    /** 50 sequential puts of x, then a read of the 11th value: a stale read after the 50th put. */
    private static List<Operation> staleReadAfterManyWrites() {
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < 50; i++) ops.add(Operation.put(1, "x", "v" + i, 10L * i, 10L * i + 5));
        ops.add(Operation.put(2, "y", "other key", 3, 4));
        ops.add(Operation.get(3, "x", "v10", 1000, 1005));
        return ops;
    }

    @Test
    void theWindowIsTheLastWriteAndTheStaleRead() {
        List<Operation> x = staleReadAfterManyWrites().stream().filter(op -> op.key().equals("x")).toList();
        List<Operation> window = FailingWindow.find(x, null);
        assertEquals(List.of(x.get(49), x.get(50)), window);
    }

    @Test
    void aWindowIsNeverClaimedForALinearizableHistory() {
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < 10; i++) ops.add(Operation.put(1, "x", "v" + i, 10L * i, 10L * i + 5));
        ops.add(Operation.get(3, "x", "v9", 1000, 1005));
        assertEquals(List.of(), FailingWindow.find(ops, null));
    }

    @Test
    void theAssertionNamesTheKeyAndShowsTheWindow() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Linearizability.assertLinearizable("demo", staleReadAfterManyWrites()));
        String report = e.getMessage();
        assertTrue(report.contains("key 'x': ILLEGAL"), report);
        assertTrue(report.contains("the smallest failing window found has 2 of 51 operations"), report);
        assertTrue(report.contains("client 1 PUT 'v49'") && report.contains("client 3 GET -> 'v10'"), report);
    }

    @Test
    void aLinearizableHistoryPasses() {
        List<Operation> ops = List.of(Operation.put(1, "x", "a", 0, 5), Operation.get(2, "x", "a", 6, 8));
        assertEquals(CheckResult.Outcome.OK, Linearizability.assertLinearizable("ok", ops).outcome());
    }
}
