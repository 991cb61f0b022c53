package io.regionkv.nemesis;

import io.regionkv.testkit.CheckResult;
import java.util.List;

/**
 * One line of the nemesis table. {@code lost} counts acknowledged appends a later linearizable read did not
 * see, {@code phantom} elements read that no client sent; both must be 0, and the verdict OK (UNKNOWN
 * fails too: an undecided history proves nothing).
 */
record NemesisRow(int phase, FaultKind kind, String fault, int operations, int acknowledged, int unknown, int lost, int phantom,
        CheckResult verdict, long recoveryMillis, String recoveryNote) {

    boolean passed() {
        return lost == 0 && phantom == 0 && verdict.outcome() == CheckResult.Outcome.OK;
    }

    static String table(List<NemesisRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("| %5s | %-26s | %6s | %6s | %7s | %4s | %7s | %-7s | %-20s |%n", "phase", "fault",
                "ops", "acked", "unknown", "lost", "phantom", "checker", "recovery"));
        sb.append("|------:|:---------------------------|-------:|-------:|--------:|-----:|--------:|:--------|:---------------------|\n");
        for (NemesisRow r : rows) {
            String recovery = r.recoveryMillis < 0 ? "-" : r.recoveryMillis + " ms" + (r.recoveryNote.isEmpty() ? "" : " (" + r.recoveryNote + ")");
            sb.append(String.format("| %5d | %-26s | %6d | %6d | %7d | %4d | %7d | %-7s | %-20s |%n", r.phase, r.fault,
                    r.operations, r.acknowledged, r.unknown, r.lost, r.phantom, r.verdict.outcome(), recovery));
        }
        return sb.toString();
    }
}
