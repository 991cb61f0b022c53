package io.regionkv.store.cluster;

import io.regionkv.store.cluster.GenericWorkload.Chaos;
import io.regionkv.store.cluster.GenericWorkload.Shape;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The 2B, 2C and 3B cases with the most chaos at TinyKV's full length or longer (3 rounds of 5 s by default; more
 * with {@code -Dregionkv.soak.rounds=N -Dregionkv.soak.round-ms=M}). Not part of the default build:
 * {@code mvn test -Dsurefire.excludedGroups= -Dgroups=soak -Dtest=ClusterSoakTest}.
 */
@Tag("soak")
class ClusterSoakTest {

    private static Shape shape() {
        return Shape.soak();
    }

    @Test
    void manyPartitionsManyClientsSoak() {
        GenericWorkload.run(TestCluster.Options.of("ManyPartitionsManyClientsSoak"), 5,
                new Chaos(false, false, true), shape());
    }

    @Test
    void persistConcurrentUnreliableSoak() {
        GenericWorkload.run(TestCluster.Options.of("PersistConcurrentUnreliableSoak"), 5,
                new Chaos(true, true, false), shape());
    }

    @Test
    void persistPartitionUnreliableSoak() {
        GenericWorkload.run(TestCluster.Options.of("PersistPartitionUnreliableSoak"), 5,
                new Chaos(true, true, true), shape());
    }

    @Test
    void snapshotUnreliableRecoverConcurrentPartitionSoak() {
        GenericWorkload.run(TestCluster.Options.of("SnapshotUnreliableRecoverConcurrentPartitionSoak"), 5,
                Chaos.NONE.withSnapshots().withUnreliable().withCrash().withPartitions(), shape());
    }

    @Test
    void confChangeSnapshotUnreliableRecoverConcurrentPartitionSoak() {
        GenericWorkload.run(TestCluster.Options.of("ConfChangeSnapshotUnreliableRecoverConcurrentPartitionSoak"), 5,
                Chaos.NONE.withConfChanges().withSnapshots().withUnreliable().withCrash().withPartitions(), shape());
    }

    @Test
    void splitConfChangeSnapshotUnreliableRecoverConcurrentPartitionSoak() {
        GenericWorkload.run(TestCluster.Options.of("SplitConfChangeSnapshotUnreliableRecoverConcurrentPartitionSoak"),
                5, Chaos.NONE.withSplits().withConfChanges().withSnapshots().withUnreliable().withCrash()
                        .withPartitions(), shape());
    }
}
