package io.regionkv.nemesis;

import io.regionkv.testkit.HistoryRecorder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the clients did while one fault ran. Every phase writes keys of its own ({@code r/<phase>/...},
 * {@code l/<phase>/...}) so that its history is checked on its own: a small history keeps the
 * linearizability search decidable, and an operation left open by a fault cannot make another phase's
 * verdict undecided.
 */
final class Phase {

    final int index;
    /** The fault of this phase; null for the warm-up. */
    final FaultKind kind;
    final HistoryRecorder history = new HistoryRecorder();
    final AtomicInteger operations = new AtomicInteger();
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger unknown = new AtomicInteger();
    /** Every append key ever sent (before sending), to tell a phantom element from a real one. */
    final Set<String> appendsSent = ConcurrentHashMap.newKeySet();
    /** Acknowledged append key → System.nanoTime() just after its acknowledgement arrived. */
    final Map<String, Long> appendsAcknowledged = new ConcurrentHashMap<>();
    /** Acknowledged appends a later read did not see (each must be 0). */
    final Set<String> missingAppends = ConcurrentHashMap.newKeySet();
    /** Elements a read returned that no client ever sent. */
    final Set<String> phantomAppends = ConcurrentHashMap.newKeySet();
    volatile String fault = "-";
    volatile long recoveryMillis = -1;
    volatile String recoveryNote = "";

    Phase(int index, FaultKind kind) {
        this.index = index;
        this.kind = kind;
    }

    String registerKey(int k) {
        return "r/" + index + "/" + k;
    }

    String listPrefix() {
        return "l/" + index + "/";
    }

    /** The first key after every key of {@link #listPrefix()} ('0' follows '/'). */
    String listEnd() {
        return "l/" + index + "0";
    }

    /** Appends of client {@code client} to list {@code list}: their keys sort in the order they were made. */
    String appendKey(int list, int client, int seq) {
        return listPrefix() + list + "/" + client + "/" + String.format("%08d", seq);
    }

    /**
     * Checks one linearizable read of this phase's lists, invoked at {@code invokedNanos}: every append
     * acknowledged before it must be there, and nothing there may be unsent.
     */
    void checkListRead(Set<String> seen, long invokedNanos) {
        for (Map.Entry<String, Long> e : appendsAcknowledged.entrySet()) {
            if (e.getValue() < invokedNanos && !seen.contains(e.getKey())) missingAppends.add(e.getKey());
        }
        for (String key : seen) {
            if (!appendsSent.contains(key)) phantomAppends.add(key);
        }
    }
}
