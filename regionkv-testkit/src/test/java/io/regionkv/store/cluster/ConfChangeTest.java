package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import org.junit.jupiter.api.Test;

/**
 * TinyKV's 3B conf-change cases: the generic workload while a conf changer keeps removing and adding
 * replicas of the region; every history is checked for linearizability.
 */
class ConfChangeTest {

    @Test
    void basicConfChange3B() {
        GenericWorkload.run("BasicConfChange3B", 5, new Chaos(false, false, false, true));
    }

    @Test
    void confChangeUnreliable3B() {
        GenericWorkload.run("ConfChangeUnreliable3B", 5, new Chaos(true, false, false, true));
    }
}
