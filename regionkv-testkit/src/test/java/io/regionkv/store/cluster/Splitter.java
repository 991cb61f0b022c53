package io.regionkv.store.cluster;

import io.regionkv.client.RegionKvClient;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Splits regions while the generic workload runs, through the admin path a operator uses (the scheduler
 * allocates the ids, the region's leader proposes the split through raft), at keys among the shared set
 * and inside the clients' ranges, so that the run ends up over many regions and scans cross their
 * boundaries. TinyKV gets the same from tiny region sizes; explicit split keys put the boundaries where
 * the clients' reads must cross them, and keep the number of regions (each one a raft group per store,
 * on a 2-core machine) within {@code maxSplits}.
 *
 * <p>A split refused (the key is a boundary already, the region changed meanwhile) or not done in time is
 * part of the chaos: it is logged and the next turn picks another key.
 */
final class Splitter {

    /** How long one pre-split may keep failing (no leader yet, the directory not filled) before the test fails. */
    private static final Duration PRESPLIT_WITHIN = Duration.ofSeconds(60);

    private final TestCluster cluster;
    private final WorkloadKeys keys;
    private final Supplier<int[]> written;
    private final int maxSplits;
    /** Splits done so far over the whole run (written by the splitter thread, read after it is joined). */
    private volatile int made;

    Splitter(TestCluster cluster, WorkloadKeys keys, Supplier<int[]> written, int maxSplits) {
        this.cluster = cluster;
        this.keys = keys;
        this.written = written;
        this.maxSplits = maxSplits;
    }

    int made() {
        return made;
    }

    /**
     * Before the first round, with no chaos yet: splits at the middle of the shared keys and at the start
     * of every second client's range, retrying each until done, so that every run goes over several
     * regions however little the splits during the rounds achieve on a loaded machine.
     */
    void presplit(int clients) {
        List<String> at = new ArrayList<>();
        at.add(keys.shared().get(keys.shared().size() / 2));
        for (int c = 1; c < clients; c += 2) at.add(WorkloadKeys.clientRangeStart(c));
        RegionKvClient admin = cluster.schedulerClient(699);
        for (String key : at) {
            long deadline = System.nanoTime() + PRESPLIT_WITHIN.toNanos();
            while (true) {
                try {
                    admin.split(RecordedClient.bytes(key)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError(cluster.options().testName() + " (seed " + cluster.seed()
                                + "): pre-split at '" + key + "' not done within " + PRESPLIT_WITHIN, e);
                    }
                    sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
        System.out.println(cluster.options().testName() + ": pre-split at " + at);
    }

    /** Splits every few hundred ms until {@code stop} opens or {@code maxSplits} splits are done. */
    void run(int round, CountDownLatch stop) throws InterruptedException {
        Random random = cluster.random(-200 - round);
        RegionKvClient admin = cluster.schedulerClient(700 + round);
        // The first split right away: a split waits for the scheduler and a raft round trip, which on a
        // loaded machine and under partitions can take most of a short round.
        long pause = 0;
        while (made < maxSplits && !stop.await(pause, TimeUnit.MILLISECONDS)) {
            pause = 150 + random.nextInt(300);
            String key = keys.splitKey(random, written.get());
            try {
                admin.split(RecordedClient.bytes(key)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                made++;
                System.out.println(cluster.options().testName() + ": split at '" + key + "' (" + made + " so far)");
            } catch (ExecutionException | TimeoutException e) {
                System.out.println(cluster.options().testName() + ": splitter: split at '" + key + "' failed: "
                        + (e.getCause() != null ? e.getCause() : e));
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
