package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM that prints {@code synced N} each time it made something durable, run until it has
 * reported a given number of times and then killed with SIGKILL a random sliver of time later, so the
 * kill lands between reports as well as right after one. The crash tests of this package run one per kill.
 */
final class SyncReportingChild {
    /** What a killed child reported: the last N it printed (0 for none) and how many reports it made. */
    record Killed(long lastSynced, long reports) {}

    private SyncReportingChild() {}

    static Killed runAndKill(Class<?> main, Path stderr, int reports, Random random, String context, String... args)
            throws IOException, InterruptedException {
        String[] command = new String[4 + args.length];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = main.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        AtomicLong synced = new AtomicLong();
        AtomicLong made = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("synced ")) {
                        synced.set(Long.parseLong(line.substring(7)));
                        made.incrementAndGet();
                    }
                }
            } catch (IOException ignored) {
                // the child died: its output ends
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (made.get() < reports && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(child.isAlive(), context + ": the child died on its own, see " + stderr);
        LockSupport.parkNanos(random.nextInt(2_000_000));
        child.destroyForcibly();
        assertEquals(137, child.waitFor(), context + ": killed by SIGKILL");
        reader.join();
        return new Killed(synced.get(), made.get());
    }
}
