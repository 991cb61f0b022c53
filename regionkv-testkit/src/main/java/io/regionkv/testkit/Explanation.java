package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.List;

/** Words for an ILLEGAL verdict: how far the search got, the value then, and what could have come next. */
final class Explanation {

    private static final int SHOWN = 5;

    private Explanation() {
    }

    /** {@code prefix}: indexes into {@code ops} of the longest linearization the search found, in order. */
    static String of(List<Operation> ops, int[] prefix, String initialValue) {
        int n = ops.size();
        boolean[] placed = new boolean[n];
        String value = initialValue;
        for (int i : prefix) {
            placed[i] = true;
            if (ops.get(i).kind() != Operation.Kind.GET) {
                value = ops.get(i).input();
            }
        }
        // What could go next: every unplaced operation invoked before the first unplaced one returned.
        long firstReturn = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (!placed[i]) {
                firstReturn = Math.min(firstReturn, ops.get(i).returnNanos());
            }
        }
        List<Operation> next = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!placed[i] && ops.get(i).invokeNanos() <= firstReturn) {
                next.add(ops.get(i));
            }
        }
        StringBuilder sb = new StringBuilder("not linearizable; the longest linearizable prefix has ")
                .append(prefix.length).append(" of ").append(n).append(" operations");
        if (prefix.length > 0) {
            sb.append(", ending with ");
            int from = Math.max(0, prefix.length - 3);
            for (int i = from; i < prefix.length; i++) {
                sb.append(i > from ? ", " : "").append(ops.get(prefix[i]));
            }
        }
        sb.append("; the value is then ").append(Operation.quote(value))
                .append(" and no order of what comes next fits; next could be: ");
        for (int i = 0; i < Math.min(SHOWN, next.size()); i++) {
            sb.append(i > 0 ? ", " : "").append(next.get(i));
        }
        if (next.size() > SHOWN) {
            sb.append(" and ").append(next.size() - SHOWN).append(" more");
        }
        return sb.toString();
    }
}
