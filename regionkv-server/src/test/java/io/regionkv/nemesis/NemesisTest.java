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
 * cluster on an idle machine; the bounds here are three and two times that, since the default suite
 * shares the machine with other test JVMs (Pekko's own join retry made a restart take 20-30 s).
 */
class NemesisTest {

    private static final Duration ONE_NODE_RESTART = Duration.ofSeconds(15);
    private static final Duration WHOLE_CLUSTER_RESTART = Duration.ofSeconds(20);

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
