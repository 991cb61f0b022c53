package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.store.cluster.GenericWorkload.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TinyKV's 2C cluster cases: the generic workload with a raft-log GC limit of {@link Chaos#SMALL_LOG}
 * entries, so logs are compacted all the time, and peers that were cut off or restarted catch up by
 * snapshot; the log bound is checked after every round. TinyKV's OneSnapshot is
 * {@code io.regionkv.store.SnapshotTest#isolatedStoreCatchesUpBySnapshotThatCarriesDeletes}. The cases whose
 * chaos {@link #snapshotUnreliableRecoverConcurrentPartition2C} includes run under the {@code soak} tag
 * only, to keep the default suite short.
 */
class SnapshotChaosTest {

    private static final Chaos SNAP = Chaos.NONE.withSnapshots();

    @Test
    void snapshotUnreliableRecoverConcurrentPartition2C() {
        GenericWorkload.run("SnapshotUnreliableRecoverConcurrentPartition2C", 5,
                SNAP.withUnreliable().withCrash().withPartitions(), Shape.SHORT);
    }

    @Tag("soak")
    @Test
    void snapshotRecover2C() {
        GenericWorkload.run("SnapshotRecover2C", 1, SNAP.withCrash());
    }

    @Tag("soak")
    @Test
    void snapshotRecoverManyClients2C() {
        GenericWorkload.run("SnapshotRecoverManyClients2C", 5, SNAP.withCrash());
    }

    @Tag("soak")
    @Test
    void snapshotUnreliable2C() {
        GenericWorkload.run("SnapshotUnreliable2C", 5, SNAP.withUnreliable());
    }

    @Tag("soak")
    @Test
    void snapshotUnreliableRecover2C() {
        GenericWorkload.run("SnapshotUnreliableRecover2C", 5, SNAP.withUnreliable().withCrash());
    }
}
