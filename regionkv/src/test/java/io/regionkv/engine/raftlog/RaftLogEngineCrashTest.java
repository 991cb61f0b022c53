package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes random raft-log batches through a {@link RaftLogEngine}
 * ({@link RaftLogEngineCrashChild}) with SIGKILL at random moments, again and again on the same log. After
 * each kill the log must reopen holding exactly what the first N batches of the seeded sequence make, for
 * an N no smaller than the batches the child reported synced: nothing synced lost, no batch in part, and
 * the rewrites and purges in between changing nothing a region can read. {@code -Dregionkv.seed=...}
 * replays a run.
 */
class RaftLogEngineCrashTest {
    @TempDir
    Path dir;

    /** How many batches of the sequence a log holds: the marker in region 0's raft state. */
    static long batchesIn(RaftLogEngine engine) {
        return engine.state(0).map(s -> s.getLastIndex()).orElse(0L);
    }

    @Test
    void afterEachSigkillTheLogIsExactlyTheFirstBatchesAndHoldsEverySyncedOne() throws Exception {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        int kills = Integer.getInteger("regionkv.crash.kills", 10);
        System.out.println("RaftLogEngineCrashTest seed=" + seed + " kills=" + kills + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        Path log = dir.resolve("log");
        long reported = 0;
        for (int run = 0; run < kills; run++) {
            int threshold = 1 + random.nextInt(150);
            SyncReportingChild.Killed killed = SyncReportingChild.runAndKill(RaftLogEngineCrashChild.class,
                    dir.resolve("child-" + run + ".err"), threshold, random, "seed " + seed + " run " + run,
                    log.toString(), Long.toString(seed));
            reported = Math.max(reported, killed.lastSynced());

            try (RaftLogEngine reopened = RaftLogEngine.open(log, RaftLogEngineCrashChild.SEGMENT_BYTES)) {
                long held = batchesIn(reopened);
                assertTrue(held >= reported, "seed " + seed + " run " + run + ": " + reported
                        + " batches were reported synced, the log holds " + held);
                RaftLogEngineCrashChild.Batches batches = new RaftLogEngineCrashChild.Batches(seed);
                batches.skip(held);
                batches.model.assertHeldBy(reopened, "seed " + seed + " run " + run + " (" + held + " batches)");
                System.out.printf("run %d: killed after %d syncs (threshold %d); %d batches on disk in segments %d..%d%n",
                        run, killed.reports(), threshold, held, reopened.firstSegment(), reopened.currentSegment());
            }
        }
        assertTrue(reported > 0, "the children synced something");
    }
}
