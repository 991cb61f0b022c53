package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.UnsyncedMarker;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.TornKvRecovery;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, "Recovery without an operator": one store of three goes through a simulated OS crash with
 * unsynced kv commits while clients write. The store is stopped, its kv environment is left marked as
 * holding unsynced commits (as a crash would leave it), and it starts again under another boot id. Before
 * this change it refused to start; now it discards its kv data, keeps term and vote, is refilled by a
 * snapshot its region's leader sends on request, and catches up; the history stays linearizable with every
 * acknowledged write present.
 */
class RebootRecoveryTest {

    private static final Duration MUST = Duration.ofSeconds(60);
    private static final long REGION = RegionKvNode.FIRST_REGION_ID;
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4");

    @Test
    void aFollowerRebootedWithUnsyncedKvDataRefillsFromTheLeaderUnderLoad() throws Exception {
        rebootUnderLoad(false);
    }

    /** The leader's store reboots: the other two elect a leader, which then refills it. */
    @Test
    void aLeaderRebootedWithUnsyncedKvDataRefillsFromTheNewLeaderUnderLoad() throws Exception {
        rebootUnderLoad(true);
    }

    private void rebootUnderLoad(boolean theLeader) throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("RebootRecovery").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10)))) {
            RecordedClient first = cluster.client(0);
            first.mustPut("before", "crash", MUST);
            PeerStatus leader = cluster.awaitLeader(REGION, MUST);
            long victim = theLeader ? leader.storeId()
                    : cluster.storeIds().stream().filter(s -> s != leader.storeId()).findFirst().orElseThrow();
            ClusterSystems.awaitCondition("store " + victim + " applied the first write", MUST,
                    () -> cluster.engineGet(victim, "before").equals(Optional.of("crash")));

            // Writers overwrite a shared key set (each value unique), and read it now and then.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acknowledged = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                RecordedClient client = cluster.client(c);
                int id = c;
                Thread t = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = KEYS.get((i + id) % KEYS.size());
                        if (i % 4 == 3) {
                            client.get(key);
                        } else if (client.put(key, "c" + id + "-" + i) == RecordedClient.Outcome.OK) {
                            acknowledged.incrementAndGet();
                        }
                    }
                }, "writer-" + c);
                t.start();
                writers.add(t);
            }
            try {
                Thread.sleep(1500);
                Path kvDir = cluster.node(victim).settings().dataDir().resolve("kv");
                cluster.stopNode(victim);
                // What an OS crash leaves: the marker of unsynced commits, written under the old boot.
                Files.writeString(kvDir.resolve(UnsyncedMarker.FILE_NAME), "boot-before-the-crash");
                System.setProperty(UnsyncedMarker.BOOT_ID_PROPERTY, "boot-after-the-crash");
                try {
                    cluster.startNode(victim); // refused with UnsyncedDataAfterRebootException before
                } finally {
                    System.clearProperty(UnsyncedMarker.BOOT_ID_PROPERTY);
                }
                Path marker = kvDir.resolve(UnsyncedMarker.FILE_NAME); // the new kv data's own, if any
                assertFalse(Files.exists(marker) && Files.readString(marker).equals("boot-before-the-crash"),
                        "the torn kv data was replaced");
                Path backup = kvDir.getParent().resolve(TornKvRecovery.BACKUP_DIR);
                assertTrue(Files.exists(backup.resolve("kv").resolve("data.mdb")), "the torn kv data is set aside");
                try (var copied = Files.list(backup.resolve(io.regionkv.engine.EngineConfig.DEFAULT_RAFT_LOG.dirName()))) {
                    assertTrue(copied.findAny().isPresent(), "the raft log is copied aside");
                }
                int ackedAtRestart = acknowledged.get();
                ClusterSystems.awaitCondition("writes go on after the restart", MUST,
                        () -> acknowledged.get() > ackedAtRestart + 20);
                Thread.sleep(1000);
            } finally {
                stop.set(true);
                for (Thread t : writers) t.join(60_000);
            }

            // The rebooted store holds the data again: what it had before (via the leader's snapshot) and
            // every key's latest value.
            ClusterSystems.awaitCondition("store " + victim + " got the data from before the crash back", MUST,
                    () -> cluster.engineGet(victim, "before").equals(Optional.of("crash")));
            for (String key : KEYS) {
                Optional<String> latest = first.mustGet(key, MUST);
                assertTrue(latest.isPresent(), key);
                ClusterSystems.awaitCondition("store " + victim + " caught up on " + key, MUST,
                        () -> cluster.engineGet(victim, key).equals(latest));
            }
            // And it takes part again: with another store down, the region still serves through it.
            long other = cluster.storeIds().stream().filter(s -> s != victim).findFirst().orElseThrow();
            cluster.stopNode(other);
            first.mustPut("after", "recovery", MUST);
            assertEquals(Optional.of("recovery"), first.mustGet("after", MUST));
            ClusterSystems.awaitCondition("store " + victim + " applies new writes", MUST,
                    () -> cluster.engineGet(victim, "after").equals(Optional.of("recovery")));
            cluster.assertLinearizable();
        }
    }
}
