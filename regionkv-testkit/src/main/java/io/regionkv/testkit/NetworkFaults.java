package io.regionkv.testkit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The faults a test injects into the network between stores: a drop percentage, partitions, a delay and
 * duplication. One instance is shared by every node's {@link FaultInjectingTransport}, so a test changes
 * the whole network in one place. Thread-safe; decisions draw from one seeded {@link Random} so that a
 * printed seed narrows a failure down (thread interleaving still varies).
 */
public final class NetworkFaults {

    private final Random random;
    private volatile int dropPercent;
    private volatile int duplicatePercent;
    private volatile long maxDelayMillis;
    /** Store id → partition group; stores in different groups cannot talk. Empty means no partition. */
    private volatile Map<Long, Integer> groups = Map.of();
    private final Set<Long> isolated = ConcurrentHashMap.newKeySet();
    /** Raft messages peers handed to the network, whatever became of them: how busy the cluster is. */
    private final java.util.concurrent.atomic.LongAdder raftMessagesSent = new java.util.concurrent.atomic.LongAdder();
    /** Regions whose messages all arrive late, with the delay in milliseconds. */
    private final Map<Long, Long> regionDelays = new ConcurrentHashMap<>();
    /** Directed links that carry nothing: {from, to} pairs, each a store id. */
    private final Set<List<Long>> cutLinks = ConcurrentHashMap.newKeySet();

    public NetworkFaults(long seed) {
        this.random = new Random(seed);
    }

    /** How many raft messages the peers of every node have sent so far (before any fault). */
    public long raftMessagesSent() {
        return raftMessagesSent.sum();
    }

    void countRaftMessage() {
        raftMessagesSent.increment();
    }

    /** Drops {@code percent}% of all messages (0 heals). */
    public void dropPercent(int percent) {
        this.dropPercent = checkPercent(percent);
    }

    /** Sends {@code percent}% of messages twice. */
    public void duplicatePercent(int percent) {
        this.duplicatePercent = checkPercent(percent);
    }

    /** Delays every message by a random time in [0, maxMillis]; messages may overtake each other. */
    public void maxDelayMillis(long maxMillis) {
        if (maxMillis < 0) throw new IllegalArgumentException("delay must be >= 0, was " + maxMillis);
        this.maxDelayMillis = maxMillis;
    }

    /**
     * Delays every raft message of region {@code regionId} by exactly {@code millis} (0 removes the delay),
     * on top of {@link #maxDelayMillis}: one region's replicas then learn its news late while every other
     * region's traffic flows, e.g. so that a split applies on the followers well after the leader.
     */
    public void delayRegion(long regionId, long millis) {
        if (millis < 0) throw new IllegalArgumentException("delay must be >= 0, was " + millis);
        if (millis == 0) regionDelays.remove(regionId);
        else regionDelays.put(regionId, millis);
    }

    /** Cuts the network into the given groups of store ids; a store in no group is cut off from all. */
    public void partition(Collection<? extends Collection<Long>> partitionGroups) {
        Map<Long, Integer> g = new ConcurrentHashMap<>();
        int n = 0;
        for (Collection<Long> group : partitionGroups) {
            for (Long store : group) {
                g.put(store, n);
            }
            n++;
        }
        this.groups = g;
    }

    /**
     * Cuts the links from every store of {@code from} to every store of {@code to}, one way only: messages
     * the other way still pass (an asymmetric partition, e.g. a leader that can send heartbeats but hears
     * no answers). Adds to the cuts already made; {@link #heal()} removes them.
     */
    public void cutOneWay(Collection<Long> from, Collection<Long> to) {
        for (long f : from) {
            for (long t : to) {
                if (f != t) cutLinks.add(List.of(f, t));
            }
        }
    }

    /** Cuts one store off from every other. */
    public void isolate(long storeId) {
        isolated.add(storeId);
    }

    /** Cuts off exactly the given stores from every other, reconnecting any store isolated before. */
    public void isolateExactly(Set<Long> storeIds) {
        isolated.retainAll(storeIds);
        isolated.addAll(storeIds);
    }

    /** Removes every fault. */
    public void heal() {
        dropPercent = 0;
        duplicatePercent = 0;
        maxDelayMillis = 0;
        groups = Map.of();
        isolated.clear();
        cutLinks.clear();
        regionDelays.clear();
    }

    boolean canTalk(long from, long to) {
        if (from == to) return true;
        if (isolated.contains(from) || isolated.contains(to)) return false;
        if (!cutLinks.isEmpty() && cutLinks.contains(List.of(from, to))) return false;
        Map<Long, Integer> g = groups;
        if (g.isEmpty()) return true;
        Integer a = g.get(from);
        Integer b = g.get(to);
        return a != null && a.equals(b);
    }

    boolean shouldDrop() {
        int p = dropPercent;
        return p > 0 && nextInt(100) < p;
    }

    boolean shouldDuplicate() {
        int p = duplicatePercent;
        return p > 0 && nextInt(100) < p;
    }

    long delayMillis() {
        long max = maxDelayMillis;
        return max == 0 ? 0 : nextInt((int) Math.min(Integer.MAX_VALUE - 1, max) + 1);
    }

    long delayMillis(long regionId) {
        return delayMillis() + (regionDelays.isEmpty() ? 0 : regionDelays.getOrDefault(regionId, 0L));
    }

    private int nextInt(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private static int checkPercent(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be in [0, 100], was " + percent);
        }
        return percent;
    }
}
