package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.testkit.CheckResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Cluster-test-sized histories must check in seconds. The times are printed, and the bound asserted is loose
 * (a shared CI machine) but still catches a search that went exponential.
 */
class LinearizabilityPerformanceTest {

    private static final long LOOSE_BOUND_MS = 60_000;

    @Test
    void tenThousandOperationsOverAHundredKeysFromTenClients() {
        SplittableRandom random =
                new SplittableRandom(Seeds.seed("tenThousandOperationsOverAHundredKeysFromTenClients"));
        List<Operation> history = new HistoryGenerator(random, 0.5, 0.05, 0.01).clients(10, 1_000, 100, 1_000);
        assertEquals(10_000, history.size());
        timeAndCheck("10k ops, 100 keys, 10 clients", history, Outcome.OK);

        // The same history with one read made stale somewhere must still be caught, as quickly.
        List<Operation> corrupted = new ArrayList<>(history);
        assertTrue(makeOneReadStale(corrupted), "no read could be made stale");
        timeAndCheck("10k ops, 100 keys, 10 clients, one stale read", corrupted, Outcome.ILLEGAL);
    }

    @Test
    void tenThousandOperationsOnOneKeyFromTenClients() {
        SplittableRandom random = new SplittableRandom(Seeds.seed("tenThousandOperationsOnOneKeyFromTenClients"));
        List<Operation> history = new HistoryGenerator(random, 0.5, 0.05, 0.02).clients(10, 1_000, 1, 1_000);
        timeAndCheck("10k ops, 1 key, 10 clients", history, Outcome.OK);
    }

    private static void timeAndCheck(String what, List<Operation> history, Outcome expected) {
        long start = System.nanoTime();
        CheckResult result = new LinearizabilityChecker().check(history);
        long ms = (System.nanoTime() - start) / 1_000_000;
        long states = result.perKey().values().stream().mapToLong(KeyResult::statesVisited).sum();
        System.out.println(what + ": " + result.outcome() + " in " + ms + " ms, " + states + " states cached");
        assertEquals(expected, result.outcome(), result::toString);
        assertTrue(ms < LOOSE_BOUND_MS, what + " took " + ms + " ms");
    }

    /** Latest read first, so the corruption sits deep in its key's history. */
    private static boolean makeOneReadStale(List<Operation> history) {
        for (int r = history.size() - 1; r >= 0; r--) {
            Operation read = history.get(r);
            if (read.kind() != Operation.Kind.GET || read.pending()) {
                continue;
            }
            for (Operation put : history) {
                if (put.kind() != Operation.Kind.PUT || put.pending() || !put.key().equals(read.key())) {
                    continue;
                }
                for (Operation w : history) {
                    if (w.kind() != Operation.Kind.GET && !w.pending() && w != put && w.key().equals(read.key())
                            && w.invokeNanos() > put.returnNanos() && w.returnNanos() < read.invokeNanos()) {
                        history.set(r, Operation.get(read.clientId(), read.key(), put.input(),
                                read.invokeNanos(), read.returnNanos()));
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
