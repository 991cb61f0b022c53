package io.regionkv.nemesis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The short nemesis run of the default suite (about a minute of faults): each fault once, in an order
 * drawn from the seed, against three real server JVMs under the register and list workloads. Beyond what
 * every run checks, restarts must be quick: the targets are 5 s for one node and 10 s for the whole
 * cluster on an idle machine. The bounds are looser for two reasons. The default suite shares the machine
 * with other test JVMs. And on the slower kind of machine the suite now runs on (a PVM guest, where a
 * system call or a page fault costs several times more), this test alone took 10.7 and 14.4 s for
 * one-node restarts and 11.1 s for the whole cluster ({@code mvn -o -B test -pl regionkv-server
 * -Dtest=NemesisTest}, seed 14922242487547). Within the default suite ({@code ../shared/tools/fresh-ci}),
 * one restart took 19.2 s (2026-12-02). So this bound no longer catches a restart of 20-30 s, which Pekko's own join retry
 * once caused; ServerMembershipSettingsTest pins the join settings that fixed that.
 */
class NemesisTest {

    private static final Duration ONE_NODE_RESTART = Duration.ofSeconds(30);
    private static final Duration WHOLE_CLUSTER_RESTART = Duration.ofSeconds(30);

    @Test
    void everyFaultOnceLosesNothingAndStaysLinearizable() throws Exception {
        long seed = NemesisRun.seed("NemesisTest");
        List<FaultKind> order = new ArrayList<>(List.of(FaultKind.values()));
        Collections.shuffle(order, new Random(seed ^ 0x5DEECE66DL));
        List<NemesisRow> rows = NemesisRun.run("NemesisTest", seed, i -> i <= order.size() ? order.get(i - 1) : null);
        NemesisAssertions.check(rows, seed);
        for (NemesisRow r : rows) {
            if (r.kind() == FaultKind.KILL_RANDOM || r.kind() == FaultKind.KILL_LEADER) {
                assertTrue(r.recoveryMillis() <= ONE_NODE_RESTART.toMillis(), "a restarted node serves within "
                        + ONE_NODE_RESTART.toSeconds() + " s of its JVM starting: " + r);
            } else if (r.kind() == FaultKind.KILL_ALL) {
                assertTrue(r.recoveryMillis() <= WHOLE_CLUSTER_RESTART.toMillis(), "a whole cluster restarted at once"
                        + " serves within " + WHOLE_CLUSTER_RESTART.toSeconds() + " s: " + r);
            }
        }
    }
}
