package io.regionkv.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a KV history for linearizability. Keys are independent registers, and linearizability is local
 * (Herlihy and Wing): a history is linearizable iff each key's sub-history is. So the history is split by
 * key and each key is searched on its own, within its own time and state budget.
 *
 * <p>Every key starts absent unless an initial value is given.
 */
public final class LinearizabilityChecker {

    public static final Duration DEFAULT_KEY_BUDGET = Duration.ofSeconds(10);
    /** Heap the memo of explored states may take per key (an entry costs roughly a hundred bytes). */
    public static final long DEFAULT_MEMO_BYTES_PER_KEY = 256L << 20;

    private final long keyBudgetNanos;
    private final long memoBytesPerKey;

    public LinearizabilityChecker() {
        this(DEFAULT_KEY_BUDGET, DEFAULT_MEMO_BYTES_PER_KEY);
    }

    /**
     * A key whose search runs longer than {@code keyBudget}, or whose memo of explored states grows past about
     * {@code memoBytesPerKey} of heap, is UNKNOWN.
     */
    public LinearizabilityChecker(Duration keyBudget, long memoBytesPerKey) {
        if (keyBudget.isNegative()) {
            throw new IllegalArgumentException("negative time budget: " + keyBudget);
        }
        if (memoBytesPerKey < 1) {
            throw new IllegalArgumentException("memo budget must be positive: " + memoBytesPerKey);
        }
        // Saturate: deadlines are compared by subtraction, so they must stay far from overflowing.
        this.keyBudgetNanos = keyBudget.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos()
                : keyBudget.toNanos();
        this.memoBytesPerKey = memoBytesPerKey;
    }

    public CheckResult check(Collection<Operation> history) {
        return check(history, Map.of());
    }

    /** Checks {@code history} with keys of {@code initialValues} holding those values before it starts. */
    public CheckResult check(Collection<Operation> history, Map<String, String> initialValues) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : history) {
            Objects.requireNonNull(op, "operation");
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<KeyResult> results = new ArrayList<>(byKey.size());
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            long deadline = System.nanoTime() + keyBudgetNanos;
            results.add(new WglSearch(e.getKey(), e.getValue(), initialValues.get(e.getKey()), deadline,
                    memoBytesPerKey).run());
        }
        return new CheckResult(results);
    }
}
