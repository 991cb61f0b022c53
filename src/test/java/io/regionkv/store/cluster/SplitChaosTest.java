package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.store.cluster.GenericWorkload.Shape;
import org.junit.jupiter.api.Test;

/**
 * TinyKV's 3B split cases: the generic workload while a splitter cuts regions at the shared keys and
 * inside the clients' ranges (the clients route by the scheduler's directory and their scans cross the
 * boundaries), with the chaos of each case. Short rounds here; the long forms are in {@link ClusterSoakTest}.
 */
class SplitChaosTest {

    private static final Chaos SPLITS = Chaos.NONE.withSplits();

    @Test
    void splitConfChangeSnapshotUnreliableRecoverConcurrentPartition3B() {
        GenericWorkload.run("SplitConfChangeSnapshotUnreliableRecoverConcurrentPartition3B", 5,
                SPLITS.withConfChanges().withSnapshots().withUnreliable().withCrash().withPartitions(), Shape.SHORT);
    }
}
