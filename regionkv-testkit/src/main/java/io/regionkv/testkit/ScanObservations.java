package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one multi-key read into single-key GET observations. Each GET gets the whole read's interval, which
 * is sound for a per-key check: a linearizable scan reads every key at one instant inside that interval, so
 * each key's read in particular happens inside it. (The converse is weaker: per-key checking cannot catch a
 * scan that mixes two instants across keys; cluster tests check that separately.)
 */
public final class ScanObservations {

    private ScanObservations() {
    }

    /**
     * One GET per key of {@code keys}: the value in {@code result}, or absent when {@code result} lacks the key.
     *
     * @throws IllegalArgumentException if {@code result} holds a key outside {@code keys}, or a key repeats
     */
    public static List<Operation> toGets(int clientId, Collection<String> keys, Map<String, String> result,
            long invokeNanos, long returnNanos) {
        Set<String> unique = new HashSet<>(keys);
        if (unique.size() != keys.size()) {
            throw new IllegalArgumentException("the key set of a scan repeats a key: " + keys);
        }
        for (String k : result.keySet()) {
            if (!unique.contains(k)) {
                throw new IllegalArgumentException("scan result holds key '" + k + "' outside its key set");
            }
        }
        List<Operation> gets = new ArrayList<>(keys.size());
        for (String k : keys) {
            gets.add(Operation.get(clientId, k, result.get(k), invokeNanos, returnNanos));
        }
        return gets;
    }
}
