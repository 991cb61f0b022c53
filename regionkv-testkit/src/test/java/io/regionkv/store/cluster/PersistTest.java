package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import org.junit.jupiter.api.Test;

/**
 * TinyKV 2B with every store stopped and started again after each round (same data directories), alone
 * and with message loss and partitions: what was acknowledged must survive.
 */
class PersistTest {

    @Test
    void persistOneClient2B() {
        GenericWorkload.run("PersistOneClient2B", 1, new Chaos(false, true, false));
    }

    @Test
    void persistConcurrent2B() {
        GenericWorkload.run("PersistConcurrent2B", 5, new Chaos(false, true, false));
    }

    @Test
    void persistConcurrentUnreliable2B() {
        GenericWorkload.run("PersistConcurrentUnreliable2B", 5, new Chaos(true, true, false));
    }

    @Test
    void persistPartition2B() {
        GenericWorkload.run("PersistPartition2B", 5, new Chaos(false, true, true));
    }

    @Test
    void persistPartitionUnreliable2B() {
        GenericWorkload.run("PersistPartitionUnreliable2B", 5, new Chaos(true, true, true));
    }
}
