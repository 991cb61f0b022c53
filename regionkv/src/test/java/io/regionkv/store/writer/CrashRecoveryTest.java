package io.regionkv.store.writer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.regionkv.engine.Db;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.engine.raftlog.LogShape;
import io.regionkv.engine.raftlog.RaftLogLayout;
import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.KeyValue;
import io.regionkv.engine.ReadView;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes through the writer actors ({@link CrashChild}) with SIGKILL at random
 * moments; after each kill, reopens the environments and checks that every batch the child was told is
 * committed is there whole, and that no batch is there in part.
 *
 * <p>{@code -Dregionkv.seed=...} replays a run; {@code -Dregionkv.crash.kills=...} changes the number of kills;
 * {@code -Dregionkv.crash.writeMap=true} runs it with {@code MDB_WRITEMAP}.
 */
class CrashRecoveryTest {
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RaftLogLayout.class)
    void committedBatchesSurviveSigkillWholeAndNoneIsPartial(RaftLogLayout layout) throws Exception {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        int kills = Integer.getInteger("regionkv.crash.kills", 20);
        boolean writeMap = Boolean.getBoolean("regionkv.crash.writeMap");
        System.out.println("CrashRecoveryTest " + layout + " seed=" + seed + " kills=" + kills + " writeMap=" + writeMap
                + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        Path data = dir.resolve("store-" + layout);
        Set<Long> reportedKv = new TreeSet<>();
        Set<Long> reportedRaft = new TreeSet<>();
        long started = System.nanoTime();
        for (int run = 0; run < kills; run++) {
            // Kill after a random number of acknowledged batch parts, plus a random sliver of time so the
            // kill also lands between acknowledgements, inside commits and fsyncs.
            int threshold = 1 + random.nextInt(400);
            long jitterNanos = random.nextInt(3_000_000);
            Child child = Child.start(data, run, seed + 7919L * run, writeMap, layout,
                    dir.resolve("child-" + layout + "-" + run + ".err"));
            child.awaitReported(threshold, CHILD_TIMEOUT_SECONDS);
            LockSupport.parkNanos(jitterNanos);
            int exit = child.kill();
            if (!child.errors.isEmpty()) {
                fail("seed " + seed + " run " + run + ": child reported " + child.errors + "; stderr in " + child.stderr);
            }
            assertEquals(137, exit, "seed " + seed + " run " + run + ": the child must die by SIGKILL, stderr in "
                    + child.stderr + ":\n" + Files.readString(child.stderr));
            reportedKv.addAll(child.kv);
            reportedRaft.addAll(child.raft);
            Checked checked = verify(data, CrashChild.config(writeMap, layout), reportedKv, reportedRaft,
                    "seed " + seed + " run " + run);
            System.out.printf("run %d: killed after %d acknowledgements (threshold %d); on disk %d kv and %d raft batches%n",
                    run, child.kv.size() + child.raft.size(), threshold, checked.kvBatches, checked.raftBatches);
        }
        System.out.printf("%d kills, %d kv and %d raft batches acknowledged, %.1f s%n",
                kills, reportedKv.size(), reportedRaft.size(), (System.nanoTime() - started) / 1e9);
        assertTrue(reportedKv.size() >= kills && reportedRaft.size() >= kills);
    }

    private record Checked(int kvBatches, int raftBatches) {}

    private static Checked verify(
            Path data, EngineConfig config, Set<Long> reportedKv, Set<Long> reportedRaft, String context) {
        try (Engines engines = Engines.open(data, config)) {
            Map<Db, Set<Long>> kvIds = new HashMap<>();
            try (ReadView view = engines.kv().readView()) {
                for (Db db : List.of(Db.DEFAULT, Db.LOCK, Db.WRITE, Db.META)) {
                    String prefix = switch (db) {
                        case DEFAULT -> "d/";
                        case LOCK -> "l/";
                        case WRITE -> "w/";
                        default -> "m/";
                    };
                    Set<Long> ids = new TreeSet<>();
                    for (KeyValue kv : view.scan(db, KeySpan.ALL, Integer.MAX_VALUE)) {
                        String key = new String(kv.key(), UTF_8);
                        assertTrue(key.startsWith(prefix), context + ": stray key " + key + " in " + db);
                        long id = Long.parseLong(key.substring(2));
                        assertEquals(id, CrashChild.idOf(kv.value()), context + ": value of " + key);
                        ids.add(id);
                    }
                    kvIds.put(db, ids);
                }
            }
            Set<Long> kv = kvIds.get(Db.DEFAULT);
            for (Db db : List.of(Db.LOCK, Db.WRITE, Db.META)) {
                assertEquals(kv, kvIds.get(db), context + ": kv batches in part (" + db + " differs from default)");
            }
            assertContainsAll(kv, reportedKv, context + ": acknowledged kv batches lost");

            Set<Long> logA = new TreeSet<>();
            Set<Long> logB = new TreeSet<>();
            Map<Long, Long> raftStates = new HashMap<>();
            RaftLogStore raftLog = engines.raftLog();
            for (long region : raftLog.regions()) {
                LogShape shape = raftLog.shape(region);
                for (Entry entry : raftLog.entries(region, shape.firstIndex(), shape.lastIndex() + 1, Long.MAX_VALUE)) {
                    long id = CrashChild.idOf(entry.getData().toByteArray());
                    assertEquals(id % CrashChild.PRODUCER_STRIDE + 1, entry.getIndex(), context);
                    if (region == CrashChild.regionA(id)) {
                        logA.add(id);
                    } else {
                        assertEquals(CrashChild.regionB(id), region, context + ": entry of batch " + id);
                        logB.add(id);
                    }
                }
                RaftLocalState state = raftLog.state(region);
                if (state != null) {
                    long id = state.getHardState().getCommit();
                    assertEquals(CrashChild.regionA(id), region, context + ": raft state of region " + region);
                    assertEquals(CrashChild.stateOf(id, id % CrashChild.PRODUCER_STRIDE + 1), state, context);
                    raftStates.put(region, id);
                }
            }
            assertEquals(logA, logB, context + ": raft batches in part (the two logs differ)");
            assertContainsAll(logA, reportedRaft, context + ": acknowledged raft batches lost");
            Map<Long, Long> lastPerRegion = new HashMap<>();
            for (long id : logA) {
                lastPerRegion.merge(CrashChild.regionA(id), id, Math::max);
            }
            assertEquals(lastPerRegion, raftStates, context + ": each raft state names the last batch of its region");
            return new Checked(kv.size(), logA.size());
        }
    }

    private static void assertContainsAll(Set<Long> present, Set<Long> expected, String message) {
        if (!present.containsAll(expected)) {
            Set<Long> missing = new TreeSet<>(expected);
            missing.removeAll(present);
            fail(message + ": " + missing);
        }
    }

    /** A running child JVM and what it has reported so far. */
    private static final class Child {
        final Process process;
        final Path stderr;
        final Set<Long> kv = ConcurrentHashMap.newKeySet();
        final Set<Long> raft = ConcurrentHashMap.newKeySet();
        final List<String> errors = new ArrayList<>();
        final AtomicInteger reported = new AtomicInteger();
        final Thread reader;

        private Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.reader = new Thread(this::readReports, "crash-child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path data, int run, long seed, boolean writeMap, RaftLogLayout layout, Path stderr)
                throws IOException {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            List<String> command = new ArrayList<>(List.of(java,
                    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), data.toString(), String.valueOf(run), String.valueOf(seed),
                    String.valueOf(writeMap), layout.name()));
            Process process = new ProcessBuilder(command)
                    .redirectError(stderr.toFile())
                    .start();
            return new Child(process, stderr);
        }

        private void readReports() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts.length == 3 && parts[2].equals("ok") && (parts[0].equals("K") || parts[0].equals("R"))) {
                        (parts[0].equals("K") ? kv : raft).add(Long.parseLong(parts[1]));
                        reported.incrementAndGet();
                    } else if (line.startsWith("E ")) {
                        synchronized (errors) {
                            errors.add(line);
                        }
                    }
                    // Anything else is a line cut short by the kill: it promised nothing.
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void awaitReported(int count, long timeoutSeconds) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (reported.get() < count) {
                if (!process.isAlive()) {
                    fail("the child died by itself (exit " + process.exitValue() + "): " + Files.readString(stderr));
                }
                if (System.nanoTime() > deadline) {
                    process.toHandle().destroyForcibly();
                    fail("the child reported " + reported.get() + " of " + count + " batches within " + timeoutSeconds
                            + " s: " + Files.readString(stderr));
                }
                LockSupport.parkNanos(200_000);
            }
        }

        /**
         * SIGKILL, then wait for the exit and for the last reports in the pipe. Through the process handle:
         * {@code Process.destroyForcibly()} sends the same signal but also closes our end of stdout, which
         * would drop the reports still in the pipe.
         */
        int kill() throws InterruptedException {
            process.toHandle().destroyForcibly();
            if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("the child did not die");
            }
            reader.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
            return process.exitValue();
        }
    }
}
