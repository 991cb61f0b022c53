package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on a recorded history as a test assertion: passes on OK, fails on ILLEGAL with, for each
 * failing key, the checker's explanation and the smallest failing window of operations found
 * ({@link FailingWindow}), and fails on UNKNOWN too, since an undecided search proves nothing.
 */
public final class Linearizability {

    /** Failing keys whose window is narrowed down in a report (each costs a few more checks). */
    private static final int WINDOWS_SHOWN = 3;

    private Linearizability() {}

    /**
     * Checks {@code history} (every key starts absent) and returns the result if it is OK.
     *
     * @param what names the test or run in the failure message (with its seed, if it has one)
     * @throws AssertionError if the history is not linearizable, or the check could not decide
     */
    public static CheckResult assertLinearizable(String what, List<Operation> history) {
        long start = System.nanoTime();
        CheckResult result = new LinearizabilityChecker().check(history);
        System.out.println(what + ": linearizability " + result.outcome() + " over " + history.size()
                + " operations, " + result.perKey().size() + " keys, in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        if (result.outcome() == CheckResult.Outcome.ILLEGAL) {
            StringBuilder sb = new StringBuilder(what).append(": history is not linearizable: ").append(result);
            int shown = 0;
            for (KeyResult r : result.problems()) {
                if (r.outcome() != CheckResult.Outcome.ILLEGAL || shown++ == WINDOWS_SHOWN) break;
                List<Operation> ops = new ArrayList<>();
                for (Operation op : history) {
                    if (op.key().equals(r.key())) ops.add(op);
                }
                String window = FailingWindow.describe(ops, null);
                if (!window.isEmpty()) sb.append("\n  key '").append(r.key()).append("': ").append(window);
            }
            throw new AssertionError(sb.toString());
        }
        if (result.outcome() == CheckResult.Outcome.UNKNOWN) {
            throw new AssertionError(what + ": linearizability undecided (search budget exhausted), which proves"
                    + " nothing: " + result);
        }
        return result;
    }
}
