package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import org.junit.jupiter.api.Test;

/** TinyKV 2B without faults other than message loss: Basic, Concurrent, Unreliable. */
class ReplicationTest {

    @Test
    void basic2B() {
        GenericWorkload.run("Basic2B", 1, Chaos.NONE);
    }

    @Test
    void concurrent2B() {
        GenericWorkload.run("Concurrent2B", 5, Chaos.NONE);
    }

    @Test
    void unreliable2B() {
        GenericWorkload.run("Unreliable2B", 5, new Chaos(true, false, false));
    }
}
