package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.testkit.CheckResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Histories generated from a real register (so linearizable) must check OK; the same histories with one read
 * corrupted into something no linearization allows must check ILLEGAL; and on tiny random histories the
 * checker must agree with an exhaustive search over all orders.
 */
class LinearizabilityRandomizedTest {

    private static final int ROUNDS = 1_000;

    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private static List<Operation> generate(SplittableRandom random) {
        HistoryGenerator generator = new HistoryGenerator(random, 0.45, 0.1, 0.1);
        if (random.nextInt(4) == 0) {
            return generator.clients(1 + random.nextInt(8), 1 + random.nextInt(12), 1 + random.nextInt(3), 50);
        }
        return generator.free(5 + random.nextInt(80), random.nextInt(5) == 0 ? 3 : 1, 5 + random.nextInt(60));
    }

    @Test
    void generatedHistoriesAreLinearizable() {
        SplittableRandom seeds = new SplittableRandom(Seeds.seed("generatedHistoriesAreLinearizable"));
        for (int round = 0; round < ROUNDS; round++) {
            List<Operation> history = generate(seeds.split());
            CheckResult result = checker.check(history);
            int r = round;
            assertEquals(Outcome.OK, result.outcome(), () -> "round " + r + ": " + result + "\n" + history);
        }
    }

    @Test
    void readOfANeverWrittenValueMakesAnyHistoryIllegal() {
        SplittableRandom seeds = new SplittableRandom(Seeds.seed("readOfANeverWrittenValueMakesAnyHistoryIllegal"));
        int corrupted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            SplittableRandom random = seeds.split();
            List<Operation> history = new ArrayList<>(generate(random));
            List<Integer> reads = new ArrayList<>();
            for (int i = 0; i < history.size(); i++) {
                if (history.get(i).kind() == Operation.Kind.GET && !history.get(i).pending()) {
                    reads.add(i);
                }
            }
            if (reads.isEmpty()) {
                continue;
            }
            int at = reads.get(random.nextInt(reads.size()));
            history.set(at, withOutput(history.get(at), "never-written"));
            corrupted++;
            CheckResult result = checker.check(history);
            int r = round;
            assertEquals(Outcome.ILLEGAL, result.outcome(), () -> "round " + r + ": " + history);
        }
        assertTrue(corrupted > ROUNDS / 2, "only " + corrupted + " histories had a read to corrupt");
    }

    @Test
    void staleReadMakesAnyHistoryIllegal() {
        SplittableRandom seeds = new SplittableRandom(Seeds.seed("staleReadMakesAnyHistoryIllegal"));
        int corrupted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Operation> history = new ArrayList<>(generate(seeds.split()));
            if (!corruptOneReadToStale(history)) {
                continue;
            }
            corrupted++;
            CheckResult result = checker.check(history);
            int r = round;
            assertEquals(Outcome.ILLEGAL, result.outcome(), () -> "round " + r + ": " + history);
        }
        assertTrue(corrupted > ROUNDS / 4, "only " + corrupted + " histories had a read to make stale");
    }

    /**
     * Makes the first read that can be made stale return an overwritten value: one written by a put P that is
     * followed, in every linearization, by a completed write W that in turn precedes the read
     * (P returned before W was invoked, W returned before the read was invoked). Values are unique, so no
     * other put could supply it.
     */
    private static boolean corruptOneReadToStale(List<Operation> history) {
        for (int r = 0; r < history.size(); r++) {
            Operation read = history.get(r);
            if (read.kind() != Operation.Kind.GET || read.pending()) {
                continue;
            }
            for (Operation put : history) {
                if (put.kind() != Operation.Kind.PUT || put.pending() || !put.key().equals(read.key())) {
                    continue;
                }
                for (Operation w : history) {
                    boolean write = w.kind() != Operation.Kind.GET && !w.pending() && w != put
                            && w.key().equals(read.key());
                    if (write && w.invokeNanos() > put.returnNanos() && w.returnNanos() < read.invokeNanos()) {
                        history.set(r, withOutput(read, put.input()));
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static Operation withOutput(Operation read, String output) {
        return Operation.get(read.clientId(), read.key(), output, read.invokeNanos(), read.returnNanos());
    }

    @Test
    void agreesWithExhaustiveSearchOnTinyHistories() {
        SplittableRandom random = new SplittableRandom(Seeds.seed("agreesWithExhaustiveSearchOnTinyHistories"));
        String[] values = {"a", "b", "c"};
        int legal = 0;
        int illegal = 0;
        for (int round = 0; round < 10_000; round++) {
            int n = 1 + random.nextInt(7);
            List<Operation> history = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long invoke = random.nextInt(30);
                long ret = random.nextInt(8) == 0 ? Operation.PENDING : invoke + random.nextInt(15);
                int kind = random.nextInt(5);
                if (kind < 2) {
                    // 'd' is never read, so writes of it exercise the handling of unobserved values.
                    String value = random.nextInt(4) == 0 ? "d" : values[random.nextInt(3)];
                    history.add(Operation.put(i, "x", value, invoke, ret));
                } else if (kind == 2) {
                    history.add(Operation.delete(i, "x", invoke, ret));
                } else {
                    String seen = ret == Operation.PENDING ? null
                            : random.nextInt(4) == 0 ? null : values[random.nextInt(3)];
                    history.add(new Operation(i, Operation.Kind.GET, "x", null, seen, invoke, ret));
                }
            }
            String initial = random.nextInt(3) != 0 ? null
                    : random.nextInt(4) == 0 ? "d" : values[random.nextInt(3)];
            boolean expected = BruteForceChecker.linearizable(history, initial);
            CheckResult result = checker.check(history, initial == null ? Map.of() : Map.of("x", initial));
            int r = round;
            assertEquals(expected ? Outcome.OK : Outcome.ILLEGAL, result.outcome(),
                    () -> "round " + r + ", initially " + initial + ": " + history + "\n" + result);
            if (expected) {
                legal++;
            } else {
                illegal++;
            }
        }
        System.out.println("exhaustive agreement: " + legal + " linearizable, " + illegal + " not");
        assertTrue(legal > 1_000 && illegal > 1_000, legal + " linearizable, " + illegal + " not: too one-sided");
    }
}
