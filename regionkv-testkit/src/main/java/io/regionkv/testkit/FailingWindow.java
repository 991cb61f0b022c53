package io.regionkv.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Narrows a key's non-linearizable history down to a short window of operations that is already
 * non-linearizable by itself, so a failure report shows the few operations that conflict rather than
 * thousands.
 *
 * <p>Both cuts are sound, so the window proves the violation on its own:
 * <ul>
 * <li>the end: the history as it stood at instant t (operations returned by t; writes invoked by t but
 *     returned later become pending, reads still running are left out) is a prefix of the real one, and a
 *     history with a non-linearizable prefix is not linearizable. The smallest such t is found by
 *     bisection, since a failing prefix stays failing as t grows.
 * <li>the start: only at an instant s that no completed operation spans may earlier operations be
 *     replaced by "some value"; the window from s counts only if it fails from every value the key could
 *     hold at s (absent or any value written before s). Pending writes from before s stay in the window,
 *     free to take effect or not.
 * </ul>
 */
final class FailingWindow {

    /** Each check of a candidate window gets this long before it counts as undecided (not failing). */
    private static final Duration CHECK_BUDGET = Duration.ofSeconds(2);
    /** Beyond this many possible values at a cut, the start is not narrowed (too many checks). */
    private static final int MAX_START_VALUES = 64;
    private static final int SHOWN = 20;

    private FailingWindow() {}

    /** The window of {@code keyOps} (one key's history, ILLEGAL from {@code initial}) as text; "" if none. */
    static String describe(List<Operation> keyOps, String initial) {
        List<Operation> window = find(keyOps, initial);
        if (window.isEmpty()) return "";
        window.sort(Comparator.comparingLong(Operation::invokeNanos));
        long origin = window.get(0).invokeNanos();
        StringBuilder sb = new StringBuilder("the smallest failing window found has ").append(window.size())
                .append(" of ").append(keyOps.size()).append(" operations (times in ms from its first invocation):");
        for (int i = 0; i < Math.min(SHOWN, window.size()); i++) {
            Operation op = window.get(i);
            sb.append("\n      ").append(describe(op, origin));
        }
        if (window.size() > SHOWN) sb.append("\n      ... and ").append(window.size() - SHOWN).append(" more");
        return sb.toString();
    }

    /** The narrowed window, or empty when even the whole history does not fail under these cuts. */
    static List<Operation> find(List<Operation> keyOps, String initial) {
        List<Long> ends = new ArrayList<>(new TreeSet<>(keyOps.stream().filter(op -> !op.pending())
                .map(Operation::returnNanos).toList()));
        if (ends.isEmpty()) return List.of();
        // The smallest end at which the prefix fails.
        int lo = 0;
        int hi = ends.size() - 1;
        if (!fails(prefix(keyOps, ends.get(hi)), initial)) return List.of();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (fails(prefix(keyOps, ends.get(mid)), initial)) hi = mid;
            else lo = mid + 1;
        }
        List<Operation> prefix = prefix(keyOps, ends.get(lo));
        // The latest cut s from which the window still fails from every possible value.
        List<Long> cuts = quiescentCuts(prefix);
        List<Operation> best = prefix;
        for (int i = cuts.size() - 1; i >= 0; i--) {
            long s = cuts.get(i);
            Set<String> values = valuesBefore(prefix, s, initial);
            if (values.size() > MAX_START_VALUES) break;
            List<Operation> window = suffix(prefix, s);
            if (values.stream().allMatch(v -> fails(window, v))) {
                best = window;
                break;
            }
        }
        return new ArrayList<>(best);
    }

    /** The history as it stood at instant {@code t}. */
    private static List<Operation> prefix(List<Operation> ops, long t) {
        List<Operation> out = new ArrayList<>();
        for (Operation op : ops) {
            if (!op.pending() && op.returnNanos() <= t) {
                out.add(op);
            } else if (op.invokeNanos() <= t && op.kind() != Operation.Kind.GET) {
                out.add(new Operation(op.clientId(), op.kind(), op.key(), op.input(), null, op.invokeNanos(),
                        Operation.PENDING));
            }
        }
        return out;
    }

    /** Invocation instants before which every completed operation of {@code ops} has returned. */
    private static List<Long> quiescentCuts(List<Operation> ops) {
        List<Operation> completed = ops.stream().filter(op -> !op.pending())
                .sorted(Comparator.comparingLong(Operation::invokeNanos)).toList();
        List<Long> cuts = new ArrayList<>();
        long latestReturn = Long.MIN_VALUE;
        for (int i = 0; i < completed.size(); i++) {
            Operation op = completed.get(i);
            if (i > 0 && latestReturn < op.invokeNanos()) cuts.add(op.invokeNanos());
            latestReturn = Math.max(latestReturn, op.returnNanos());
        }
        return cuts;
    }

    /** Completed operations invoked from {@code s} on, and every pending write. */
    private static List<Operation> suffix(List<Operation> ops, long s) {
        return ops.stream().filter(op -> op.pending() || op.invokeNanos() >= s).toList();
    }

    /** What the key may hold at {@code s}: its initial value or any value written before. */
    private static Set<String> valuesBefore(List<Operation> ops, long s, String initial) {
        Set<String> values = new LinkedHashSet<>();
        values.add(initial);
        for (Operation op : ops) {
            if (op.invokeNanos() >= s) continue;
            if (op.kind() == Operation.Kind.PUT) values.add(op.input());
            if (op.kind() == Operation.Kind.DELETE) values.add(null);
        }
        return values;
    }

    private static boolean fails(List<Operation> ops, String initial) {
        if (ops.isEmpty()) return false;
        Map<String, String> init = new java.util.HashMap<>();
        if (initial != null) init.put(ops.get(0).key(), initial);
        return new LinearizabilityChecker(CHECK_BUDGET, LinearizabilityChecker.DEFAULT_MEMO_BYTES_PER_KEY)
                .check(ops, init).outcome() == CheckResult.Outcome.ILLEGAL;
    }

    private static String describe(Operation op, long origin) {
        String what = switch (op.kind()) {
            case PUT -> "PUT " + Operation.quote(op.input());
            case DELETE -> "DELETE";
            case GET -> "GET -> " + Operation.quote(op.output());
        };
        String end = op.pending() ? "never answered" : ms(op.returnNanos() - origin);
        return "client " + op.clientId() + " " + what + " [" + ms(op.invokeNanos() - origin) + ", " + end + "]";
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
