package io.regionkv.server;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code regionkv bench --regions N}: before measuring, cuts the bench's key space into N regions of
 * equal key counts and spreads their leaders over the stores, so that the run measures a multi-raft
 * store at work rather than one raft group.
 *
 * <p>Splits go through the scheduler (it allocates the ids), level by level of a bisection: each
 * level's splits all hit different regions, so they run side by side without one split's epoch change
 * refusing another's; one split after the other would take a thousand round trips for 1,000 regions.
 * Leaders are then assigned round-robin in key order, so that neighbouring key ranges (and the
 * bench's uniformly chosen keys) load every store alike.
 */
final class BenchRegions {

    /** Splits or transfers sent at once: enough to overlap round trips, few enough not to be refused as busy. */
    private static final int IN_FLIGHT = 32;
    private static final int ROUNDS = 5;

    private final BenchAdmin admin;
    private final Duration timeout;
    private final PrintStream err;

    BenchRegions(BenchAdmin admin, Duration timeout, PrintStream err) {
        this.admin = admin;
        this.timeout = timeout;
        this.err = err;
    }

    /** The N - 1 split keys that cut keys {@code 0 .. keys-1} into {@code regions} runs of equal length. */
    static List<ByteString> splitKeys(int keys, int regions) {
        if (regions < 1 || regions > keys) {
            throw new IllegalArgumentException("regions must be between 1 and the key count " + keys + ", was " + regions);
        }
        List<ByteString> cuts = new ArrayList<>();
        for (int i = 1; i < regions; i++) cuts.add(BenchWorkload.key((int) ((long) i * keys / regions)));
        return cuts;
    }

    /** The split keys in bisection order: each inner list may run at once (its keys lie in distinct regions). */
    static List<List<ByteString>> levels(List<ByteString> cuts) {
        List<List<ByteString>> levels = new ArrayList<>();
        List<int[]> segments = List.of(new int[] {0, cuts.size()});
        while (!segments.isEmpty()) {
            List<ByteString> level = new ArrayList<>();
            List<int[]> next = new ArrayList<>();
            for (int[] s : segments) {
                if (s[0] >= s[1]) continue;
                int mid = (s[0] + s[1]) >>> 1;
                level.add(cuts.get(mid));
                next.add(new int[] {s[0], mid});
                next.add(new int[] {mid + 1, s[1]});
            }
            if (!level.isEmpty()) levels.add(level);
            segments = next;
        }
        return levels;
    }

    /** Splits into {@code regions} regions over keys {@code 0 .. keys-1}, balances leaders, waits for all. */
    void prepare(int keys, int regions) {
        if (regions <= 1) return;
        long t0 = System.nanoTime();
        List<ByteString> cuts = splitKeys(keys, regions);
        for (List<ByteString> level : levels(cuts)) runAll(level, admin::split);
        // A split whose answer was lost may have happened all the same: ask the directory what is missing.
        for (int round = 0; round < ROUNDS; round++) {
            Set<ByteString> missing = new TreeSet<>(ByteString.unsignedLexicographicalComparator());
            missing.addAll(cuts);
            for (BenchAdmin.Placed p : awaitDirectory(regions, false, Duration.ofSeconds(5))) {
                missing.remove(p.region().getStartKey());
            }
            if (missing.isEmpty()) break;
            err.println("regionkv bench: " + missing.size() + " splits still missing; retrying");
            runAll(new ArrayList<>(missing), admin::split);
        }
        err.printf("regionkv bench: split into %d regions in %d ms%n", regions, (System.nanoTime() - t0) / 1_000_000);
        long t1 = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            List<BenchAdmin.Placed> placed = awaitDirectory(regions, true, timeout);
            List<long[]> moves = moves(placed);
            if (moves.isEmpty()) break;
            err.println("regionkv bench: moving " + moves.size() + " leaders");
            runAll(moves, m -> admin.transferLeader(m[0], m[1]));
            // New leaders report at once, but the directory answers what it heard so far: give it time.
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < settle && !moves(awaitDirectory(regions, true, timeout)).isEmpty()) sleep(200);
        }
        List<BenchAdmin.Placed> placed = awaitDirectory(regions, true, timeout);
        err.printf("regionkv bench: %d regions, leaders per store %s, balanced in %d ms%n", placed.size(),
                leaderCounts(placed), (System.nanoTime() - t1) / 1_000_000);
    }

    /** Region id and target store of each region whose leader is not where round-robin puts it. */
    static List<long[]> moves(List<BenchAdmin.Placed> placed) {
        List<long[]> moves = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
            BenchAdmin.Placed p = placed.get(i);
            List<Long> stores = new ArrayList<>(new TreeSet<>(p.region().getPeersList().stream()
                    .map(Peer::getStoreId).toList()));
            if (stores.isEmpty()) continue;
            long target = stores.get(i % stores.size());
            if (p.leader().isEmpty() || p.leader().get().getStoreId() != target) {
                moves.add(new long[] {p.region().getId(), target});
            }
        }
        return moves;
    }

    /** Store id → how many of {@code placed} it leads. */
    static Map<Long, Integer> leaderCounts(List<BenchAdmin.Placed> placed) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (BenchAdmin.Placed p : placed) {
            p.leader().ifPresent(l -> counts.merge(l.getStoreId(), 1, Integer::sum));
        }
        return counts;
    }

    /**
     * The directory once it holds {@code regions} regions (each with a leader, if asked), or what it holds
     * when {@code wait} runs out. The directory is rebuilt from heartbeats, so it lags the splits a little.
     */
    private List<BenchAdmin.Placed> awaitDirectory(int regions, boolean withLeaders, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<BenchAdmin.Placed> last = List.of();
        while (true) {
            try {
                last = admin.regions().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (last.size() >= regions && (!withLeaders || last.stream().allMatch(p -> p.leader().isPresent()))) {
                    return last;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the regions", e);
            } catch (Exception e) {
                // the scheduler may be moving or busy: ask again until the deadline
            }
            if (System.nanoTime() > deadline) {
                if (withLeaders) {
                    throw new IllegalStateException("the scheduler knows " + last.size() + " regions ("
                            + last.stream().filter(p -> p.leader().isPresent()).count() + " with a leader) after "
                            + wait.toSeconds() + " s; wanted " + regions);
                }
                return last;
            }
            sleep(200);
        }
    }

    /** Runs {@code call} on every item, {@link #IN_FLIGHT} at a time; failures are left for the caller's check. */
    private <T> void runAll(List<T> items, java.util.function.Function<T, java.util.concurrent.CompletionStage<Void>> call) {
        for (int from = 0; from < items.size(); from += IN_FLIGHT) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (T item : items.subList(from, Math.min(items.size(), from + IN_FLIGHT))) {
                batch.add(call.apply(item).toCompletableFuture().exceptionally(e -> null));
            }
            try {
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new))
                        .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while shaping the regions", e);
            } catch (Exception e) {
                // a call that did not finish in time is checked against the directory afterwards
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
