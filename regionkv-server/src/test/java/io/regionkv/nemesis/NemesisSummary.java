package io.regionkv.nemesis;

import io.regionkv.testkit.CheckResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The nemesis table folded by fault kind: totals, and the median and worst recovery. */
final class NemesisSummary {

    private NemesisSummary() {}

    static String table(List<NemesisRow> rows) {
        Map<String, List<NemesisRow>> byKind = new LinkedHashMap<>();
        for (NemesisRow r : rows) {
            String kind = r.kind() == null ? "warm-up" : r.kind().label;
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| fault | times | ops | acked | unknown | lost | phantom | checker | recovery median | recovery max |\n");
        sb.append("|:------|------:|----:|------:|--------:|-----:|--------:|:--------|----------------:|-------------:|\n");
        for (Map.Entry<String, List<NemesisRow>> e : byKind.entrySet()) {
            List<NemesisRow> rs = e.getValue();
            long[] rec = rs.stream().mapToLong(NemesisRow::recoveryMillis).filter(m -> m >= 0).sorted().toArray();
            long notOk = rs.stream().filter(r -> r.verdict().outcome() != CheckResult.Outcome.OK).count();
            sb.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |%n", e.getKey(), rs.size(),
                    rs.stream().mapToInt(NemesisRow::operations).sum(), rs.stream().mapToInt(NemesisRow::acknowledged).sum(),
                    rs.stream().mapToInt(NemesisRow::unknown).sum(), rs.stream().mapToInt(NemesisRow::lost).sum(),
                    rs.stream().mapToInt(NemesisRow::phantom).sum(), notOk == 0 ? "all OK" : notOk + " not OK",
                    rec.length == 0 ? "-" : rec[rec.length / 2] + " ms", rec.length == 0 ? "-" : rec[rec.length - 1] + " ms"));
        }
        return sb.toString();
    }
}
