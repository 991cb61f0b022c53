package io.regionkv.store.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The generic workload's key space. Each client owns the range {@code "<client> "} to {@code "<client>!"}
 * and writes fresh keys {@code "<client> <seq>"} there once each (TinyKV's shape, checked by exact scans).
 * Beside them lies a small set of keys {@code "s <nn>"} that every client overwrites, deletes and reads:
 * the contended part, which only the linearizability checker can judge. The shared keys sort after every
 * client range (client ids are digits), so one scan reads them all and nothing else.
 *
 * <p>The set is kept small on purpose: the checker searches each key's history on its own, and a key
 * written by every client under partitions collects many writes of unknown outcome, each of which may
 * take effect anywhere after its invocation. More keys mean fewer operations per key and a search that
 * always decides.
 */
final class WorkloadKeys {

    /** Start and end (exclusive) of the shared range. */
    static final String SHARED_START = "s ";
    static final String SHARED_END = "s!";

    private final List<String> shared;

    WorkloadKeys(int sharedCount) {
        if (sharedCount < 1 || sharedCount > 100) {
            throw new IllegalArgumentException("shared keys must be 1..100, was " + sharedCount);
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < sharedCount; i++) keys.add(sharedKey(i));
        this.shared = Collections.unmodifiableList(keys);
    }

    static String sharedKey(int i) {
        return SHARED_START + String.format("%02d", i);
    }

    static String clientKey(int client, int seq) {
        return client + " " + String.format("%08d", seq);
    }

    static String clientRangeStart(int client) {
        return client + " ";
    }

    static String clientRangeEnd(int client) {
        return client + "!";
    }

    /** Every shared key, in key order. */
    List<String> shared() {
        return shared;
    }

    String randomShared(Random random) {
        return shared.get(random.nextInt(shared.size()));
    }

    /** A value no other write of the run has: the checker tells writes apart by their values. */
    static String sharedValue(int client, int seq) {
        return "c" + client + "." + seq;
    }

    /**
     * A key to split at: a shared key (so that shared scans cross regions), a client's range start (so that
     * its range gets a region of its own) or a key inside a client's range near where it writes now (so
     * that its exact scans cross a boundary). {@code written[c]} is how many keys client c has put so far.
     */
    String splitKey(Random random, int[] written) {
        int dice = random.nextInt(3);
        int client = random.nextInt(written.length);
        return switch (dice) {
            case 0 -> randomShared(random);
            case 1 -> clientRangeStart(client);
            default -> clientKey(client, random.nextInt(Math.max(1, written[client] + 20)));
        };
    }
}
