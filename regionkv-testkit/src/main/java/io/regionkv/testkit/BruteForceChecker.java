package io.regionkv.testkit;

import java.util.List;
import java.util.Objects;

/**
 * The definition, executed: tries every order of a small single-key history that respects real time and
 * asks whether one of them satisfies the register, pending operations being placed anywhere or left out.
 * Exponential; only an oracle for the real checker on tiny histories.
 */
final class BruteForceChecker {

    private final List<Operation> ops;
    private final boolean[] placed;

    private BruteForceChecker(List<Operation> ops) {
        this.ops = ops;
        this.placed = new boolean[ops.size()];
    }

    /** Whether {@code ops}, all on one key that holds {@code initialValue} (null: absent) at first, linearize. */
    static boolean linearizable(List<Operation> ops, String initialValue) {
        return new BruteForceChecker(ops).search(initialValue);
    }

    private boolean search(String value) {
        boolean allCompletedPlaced = true;
        for (int i = 0; i < ops.size(); i++) {
            allCompletedPlaced &= placed[i] || ops.get(i).pending();
        }
        if (allCompletedPlaced) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i] || !minimal(i)) {
                continue;
            }
            Operation op = ops.get(i);
            String after;
            switch (op.kind()) {
                case PUT -> after = op.input();
                case DELETE -> after = null;
                default -> {
                    if (!op.pending() && !Objects.equals(op.output(), value)) {
                        continue;
                    }
                    after = value;
                }
            }
            placed[i] = true;
            boolean found = search(after);
            placed[i] = false;
            if (found) {
                return true;
            }
        }
        return false;
    }

    /** No unplaced operation returned strictly before {@code i} was invoked. */
    private boolean minimal(int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!placed[j] && j != i && ops.get(j).returnNanos() < ops.get(i).invokeNanos()) {
                return false;
            }
        }
        return true;
    }
}
