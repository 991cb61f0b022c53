package io.regionkv.nemesis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** What every nemesis run must show: nothing lost or invented, every phase linearizable, progress made. */
final class NemesisAssertions {

    private NemesisAssertions() {}

    static void check(List<NemesisRow> rows, long seed) {
        for (NemesisRow r : rows) {
            assertTrue(r.passed(), "phase " + r.phase() + " (" + r.fault() + ", seed " + seed + "): lost " + r.lost()
                    + ", phantom " + r.phantom() + ", checker " + r.verdict());
        }
        int acknowledged = rows.stream().mapToInt(NemesisRow::acknowledged).sum();
        assertTrue(acknowledged > 100, "the clients made progress: " + acknowledged + " acknowledged operations");
    }
}
