package io.regionkv.raft.sim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The messages in flight between simulated nodes, and the partition that may cut the nodes in two. Which
 * message goes next, and whether it arrives, is up to the caller's Random.
 */
final class SimNetwork {
    /** A network this full refuses what is sent, like a bounded transport queue. */
    private static final int MAX_IN_FLIGHT = 3000;

    /** In send order, so that the first message of a link is the oldest. */
    private final ArrayList<Envelope> pool = new ArrayList<>();
    /** Partition side of each node; everyone is on side 0 when healed. */
    private final Map<Long, Integer> side = new HashMap<>();

    /** Queues a message; false if the network is full and the message is lost. */
    boolean offer(Envelope e) {
        if (pool.size() >= MAX_IN_FLIGHT) {
            return false;
        }
        pool.add(e);
        return true;
    }

    int size() {
        return pool.size();
    }

    boolean isEmpty() {
        return pool.isEmpty();
    }

    /**
     * Takes the next message to deliver: mostly the oldest one of a random link, as over a TCP connection;
     * with probability {@code reorderRate} any message at all, which overtakes what was sent before it on
     * its link. With {@code duplicate} the message also stays in flight, to arrive again later.
     */
    Envelope take(Random rnd, double reorderRate, boolean duplicate) {
        int i = rnd.nextInt(pool.size());
        if (rnd.nextDouble() >= reorderRate) {
            Envelope picked = pool.get(i);
            for (int j = 0; j < i; j++) {
                Envelope e = pool.get(j);
                if (e.msg().getFrom() == picked.msg().getFrom() && e.msg().getTo() == picked.msg().getTo()) {
                    i = j;
                    break;
                }
            }
        }
        return duplicate ? pool.get(i) : pool.remove(i);
    }

    /** Everything in flight, oldest first; the network is empty afterwards. */
    List<Envelope> takeAll() {
        List<Envelope> all = new ArrayList<>(pool);
        pool.clear();
        return all;
    }

    /**
     * A node crashed: its connections break. Removes what it had queued to send and what was queued for
     * it, and returns the latter (their senders may hear of the failure).
     */
    List<Envelope> cutOff(long node) {
        List<Envelope> toIt = new ArrayList<>();
        pool.removeIf(e -> e.msg().getFrom() == node || (e.msg().getTo() == node && toIt.add(e)));
        return toIt;
    }

    boolean connected(long a, long b) {
        return side.getOrDefault(a, 0).intValue() == side.getOrDefault(b, 0).intValue();
    }

    boolean isPartitioned() {
        return !side.isEmpty();
    }

    /** Cuts {@code minority} off from everyone else. */
    void partition(Collection<Long> minority) {
        side.clear();
        for (long id : minority) {
            side.put(id, 1);
        }
    }

    void heal() {
        side.clear();
    }

    @Override
    public String toString() {
        return pool.size() + " messages in flight, partition " + (side.isEmpty() ? "none" : side.keySet() + " cut off");
    }
}
