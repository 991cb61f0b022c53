package io.regionkv.testkit;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The verdict on a whole history: the per-key verdicts and their combination. */
public final class CheckResult {

    /** ILLEGAL is proof of a violation; UNKNOWN means the search ran out of budget before deciding. */
    public enum Outcome {
        OK, UNKNOWN, ILLEGAL;

        /** ILLEGAL anywhere wins; otherwise any UNKNOWN leaves the whole undecided. */
        Outcome and(Outcome other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }

    private final SortedMap<String, KeyResult> perKey;
    private final Outcome outcome;

    CheckResult(List<KeyResult> results) {
        TreeMap<String, KeyResult> map = new TreeMap<>();
        Outcome all = Outcome.OK;
        for (KeyResult r : results) {
            map.put(r.key(), r);
            all = all.and(r.outcome());
        }
        this.perKey = Collections.unmodifiableSortedMap(map);
        this.outcome = all;
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean isOk() {
        return outcome == Outcome.OK;
    }

    public SortedMap<String, KeyResult> perKey() {
        return perKey;
    }

    /** The keys whose verdict is not OK, ILLEGAL ones first. */
    public List<KeyResult> problems() {
        return perKey.values().stream()
                .filter(r -> r.outcome() != Outcome.OK)
                .sorted((a, b) -> b.outcome().compareTo(a.outcome()))
                .collect(Collectors.toList());
    }

    @Override
    public String toString() {
        List<KeyResult> problems = problems();
        StringBuilder sb = new StringBuilder()
                .append(outcome).append(" over ").append(perKey.size()).append(" keys");
        int shown = 0;
        for (KeyResult r : problems) {
            if (shown++ == 5) {
                sb.append("\n  ... and ").append(problems.size() - 5).append(" more");
                break;
            }
            sb.append("\n  ").append(r);
        }
        return sb.toString();
    }
}
