package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends and syncs records ({@link AppendLogCrashChild}) with SIGKILL at random
 * moments, again and again on the same log, and after each kill checks that the log reopens with every
 * record the child reported synced, whole, numbered from 0 without a gap. Small segments make the kills
 * land inside rotations too.
 *
 * <p>SIGKILL keeps what reached the page cache, so this proves the record boundaries, the torn-tail cut
 * and that appending resumes correctly after a kill; what an OS crash tears is covered by cutting the
 * last segment at every length in {@link AppendLogTest}. {@code -Dregionkv.seed=...} replays a run.
 */
class AppendLogCrashTest {
    private static final long SEGMENT_BYTES = 64 * 1024;

    @TempDir
    Path dir;

    /** Record {@code n}: its number, then filler that depends on the number only, 8 to 2,000 bytes. */
    static byte[] payload(long n) {
        Random random = new Random(n * 31 + 7);
        byte[] b = new byte[8 + random.nextInt(1993)];
        random.nextBytes(b);
        ByteBuffer.wrap(b).putLong(0, n);
        return b;
    }

    @Test
    void everySyncedRecordSurvivesSigkillWholeAndInOrder() throws Exception {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        int kills = Integer.getInteger("regionkv.crash.kills", 12);
        System.out.println("AppendLogCrashTest seed=" + seed + " kills=" + kills + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        Path log = dir.resolve("log");
        long reported = 0;
        for (int run = 0; run < kills; run++) {
            int threshold = 1 + random.nextInt(300);
            SyncReportingChild.Killed killed = SyncReportingChild.runAndKill(AppendLogCrashChild.class,
                    dir.resolve("child-" + run + ".err"), threshold, random, "seed " + seed + " run " + run,
                    log.toString(), Long.toString(seed + run), Long.toString(SEGMENT_BYTES));
            reported = Math.max(reported, killed.lastSynced());

            long[] next = {0};
            try (AppendLog reopened = AppendLog.open(log, SEGMENT_BYTES, (p, payload) -> {
                byte[] b = new byte[payload.remaining()];
                payload.get(b);
                assertArrayEquals(payload(next[0]), b, "seed " + seed + ": record " + next[0] + " whole and in its place");
                next[0]++;
            })) {
                assertTrue(next[0] >= reported, "seed " + seed + " run " + run + ": " + reported
                        + " records were reported synced, " + next[0] + " survived");
                System.out.printf("run %d: killed after %d syncs (threshold %d); %d records on disk in segments %d..%d%n",
                        run, killed.reports(), threshold, next[0], reopened.firstSegment(), reopened.currentSegment());
            }
        }
        assertTrue(reported > 0, "the children synced something");
    }
}
