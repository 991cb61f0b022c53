package io.regionkv.nemesis;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The long nemesis run: random faults, one after another, for {@code -Dnemesis.minutes} (default 30) or
 * {@code -Dnemesis.cycles} faults, whichever ends first. Tagged {@code soak}:
 * {@code mvn -B -Psoak test -Dtest=NemesisSoakTest -Dregionkv.test.args="-Dnemesis.minutes=15"}.
 */
@Tag("soak")
class NemesisSoakTest {

    /** Longer than the suite's 10 minute default: the run itself ends after nemesis.minutes plus one fault. */
    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS)
    void randomFaultsForMinutes() throws Exception {
        long seed = NemesisRun.seed("NemesisSoakTest");
        Duration length = Duration.ofMinutes(Long.getLong("nemesis.minutes", 30));
        long cycles = Long.getLong("nemesis.cycles", Long.MAX_VALUE);
        Random schedule = new Random(seed ^ 0x5DEECE66DL);
        FaultKind[] kinds = FaultKind.values();
        long end = System.nanoTime() + length.toNanos();
        List<NemesisRow> rows = NemesisRun.run("NemesisSoakTest", seed,
                i -> i <= cycles && System.nanoTime() < end ? kinds[schedule.nextInt(kinds.length)] : null);
        System.out.println("NemesisSoakTest summary (seed " + seed + "):\n" + NemesisSummary.table(rows));
        NemesisAssertions.check(rows, seed);
    }
}
