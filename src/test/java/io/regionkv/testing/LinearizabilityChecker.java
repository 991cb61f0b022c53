package io.regionkv.testing;

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
    /** Bounds memory: each cached state holds a copy of the key's bitset. */
    public static final long DEFAULT_MAX_STATES_PER_KEY = 2_000_000;

    private final long keyBudgetNanos;
    private final long maxStatesPerKey;

    public LinearizabilityChecker() {
        this(DEFAULT_KEY_BUDGET, DEFAULT_MAX_STATES_PER_KEY);
    }

    /** A key whose search runs past {@code keyBudget} or caches more than {@code maxStatesPerKey} is UNKNOWN. */
    public LinearizabilityChecker(Duration keyBudget, long maxStatesPerKey) {
        if (keyBudget.isNegative()) {
            throw new IllegalArgumentException("negative time budget: " + keyBudget);
        }
        if (maxStatesPerKey < 1) {
            throw new IllegalArgumentException("state budget must be positive: " + maxStatesPerKey);
        }
        // Saturate: deadlines are compared by subtraction, so they must stay far from overflowing.
        this.keyBudgetNanos = keyBudget.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos()
                : keyBudget.toNanos();
        this.maxStatesPerKey = maxStatesPerKey;
    }

    public CheckResult check(Collection<Operation> history) {
        return check(history, Map.of());
    }

    /** Checks {@code history} with keys of {@code initialValues} holding those values before it starts. */
    public CheckResult check(Collection<Operation> history, Map<String, String> initialValues) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : history) {
            Objects.requireNonNull(op, "operation");
            // A read that never answered observed nothing and changed nothing.
            if (op.kind() == Operation.Kind.GET && op.pending()) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>());
                continue;
            }
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        List<KeyResult> results = new ArrayList<>(byKey.size());
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            long deadline = System.nanoTime() + keyBudgetNanos;
            results.add(new WglSearch(e.getKey(), e.getValue(), initialValues.get(e.getKey()), deadline,
                    maxStatesPerKey).run());
        }
        return new CheckResult(results);
    }
}
