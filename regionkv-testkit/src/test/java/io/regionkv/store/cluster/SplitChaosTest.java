package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.store.cluster.GenericWorkload.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TinyKV's 3B split cases: the generic workload over several regions, pre-split and split further all
 * round long at the shared keys and inside the clients' ranges (the clients route by the scheduler's
 * directory and their scans cross the boundaries), with the chaos of each case. TinyKV's OneSplit is
 * {@code io.regionkv.store.SplitTest#splitRegionServesBothHalvesAndSurvivesRestart}. The cases whose chaos
 * {@link #splitConfChangeSnapshotUnreliableRecoverConcurrentPartition3B} includes run under the {@code soak}
 * tag only, to keep the default suite short; the long form of that one is in {@link ClusterSoakTest}.
 */
class SplitChaosTest {

    private static final Chaos SPLITS = Chaos.NONE.withSplits();

    @Test
    void splitConfChangeSnapshotUnreliableRecoverConcurrentPartition3B() {
        GenericWorkload.run("SplitConfChangeSnapshotUnreliableRecoverConcurrentPartition3B", 5,
                SPLITS.withConfChanges().withSnapshots().withUnreliable().withCrash().withPartitions(), Shape.SHORT);
    }

    @Tag("soak")
    @Test
    void splitRecover3B() {
        GenericWorkload.run("SplitRecover3B", 1, SPLITS.withCrash());
    }

    @Tag("soak")
    @Test
    void splitRecoverManyClients3B() {
        GenericWorkload.run("SplitRecoverManyClients3B", 5, SPLITS.withCrash());
    }

    /**
     * In the default suite although the case above includes its chaos: without partitions and restarts
     * its clients get far more done, and its shared-key scans racing with splits found the stale read of
     * a scan that waited for its read index while its region split (PeerReads).
     */
    @Test
    void splitUnreliable3B() {
        GenericWorkload.run("SplitUnreliable3B", 5, SPLITS.withUnreliable(), Shape.SHORT);
    }

    @Tag("soak")
    @Test
    void splitUnreliableRecover3B() {
        GenericWorkload.run("SplitUnreliableRecover3B", 5, SPLITS.withUnreliable().withCrash());
    }

    @Tag("soak")
    @Test
    void splitConfChangeSnapshotUnreliableRecover3B() {
        GenericWorkload.run("SplitConfChangeSnapshotUnreliableRecover3B", 5,
                SPLITS.withConfChanges().withSnapshots().withUnreliable().withCrash());
    }
}
