package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.UnsyncedMarker;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogLayout;
import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.engine.raftlog.RaftLogStores;
import java.util.ArrayList;
import java.util.List;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store keeps and what it sets aside when its kv data had unsynced commits at an OS crash: term and
 * vote stay, the log goes behind a vote fence at its last entry, both environments are backed up first, and
 * the store keeps its identity (so it is not bootstrapped again as a new one).
 */
class TornKvRecoveryTest {
    @TempDir
    Path dir;

    private RaftLogLayout layout;

    private StoreSettings settings() {
        return StoreSettings.fromConfig(ConfigFactory.parseString("regionkv.store-id = 2\nregionkv.initial-stores = [1, 2, 3]\n"
                + "regionkv.data-dir = \"" + dir + "\"\nregionkv.engine.raft-log = " + layout.name().toLowerCase())
                .withFallback(ConfigFactory.load()));
    }

    @ParameterizedTest
    @EnumSource(RaftLogLayout.class)
    void tornKvIsSetAsideAndEachRegionKeepsTermAndVoteBehindAFence(RaftLogLayout layout) throws Exception {
        this.layout = layout;
        StoreSettings settings = settings();
        Region region = Region.newBuilder().setId(1).addPeers(Peer.newBuilder().setId(2).setStoreId(2)).build();
        try (Engines engines = Engines.open(dir, settings.engine())) {
            RaftLogBatch raft = new RaftLogBatch();
            WriteBatch kv = Bootstrap.storeIdent(engines, settings.clusterId(), 2);
            Bootstrap.initialRegionState(region, raft, kv);
            List<Entry> entries = new ArrayList<>();
            for (long i = 6; i <= 15; i++) {
                entries.add(Entry.newBuilder().setIndex(i).setTerm(7).build());
            }
            raft.append(1, entries).state(1, RaftLocalState.newBuilder().setLastIndex(15).setLastTerm(7)
                    .setHardState(HardState.newBuilder().setTerm(7).setVote(3).setCommit(12)).build());
            engines.raftLog().commitAll(List.of(raft));
            engines.kv().commit(kv.put(Db.DEFAULT, "k".getBytes(), "v".getBytes()));
        }
        // What an OS crash with unsynced kv commits leaves, seen from the next boot.
        Files.writeString(dir.resolve("kv").resolve(UnsyncedMarker.FILE_NAME), "boot-before");
        System.setProperty(UnsyncedMarker.BOOT_ID_PROPERTY, "boot-after");
        TornKvRecovery.Opened opened;
        try {
            opened = TornKvRecovery.open(settings);
        } finally {
            System.clearProperty(UnsyncedMarker.BOOT_ID_PROPERTY);
        }
        try (Engines engines = opened.engines()) {
            assertEquals(Map.of(1L, 15L), opened.refilling());
            RaftLogStore raft = engines.raftLog();
            RaftLocalState state = raft.state(1);
            assertEquals(7, state.getHardState().getTerm(), "the term stays");
            assertEquals(3, state.getHardState().getVote(), "the vote stays: no second vote in term 7");
            assertEquals(0, state.getHardState().getCommit());
            assertEquals(0, state.getLastIndex());
            assertEquals(0, raft.shape(1).size(), "the log is dropped");
            assertEquals(RaftTruncatedState.newBuilder().setIndex(15).setTerm(7).build(), raft.fence(1));
            try (ReadView kv = engines.kv().readView()) {
                assertNotNull(Meta.storeIdent(kv), "the store keeps its identity");
                assertNull(Meta.regionLocalState(kv, 1), "no region until its leader's snapshot");
                assertNull(kv.get(Db.DEFAULT, "k".getBytes()), "no torn data is served");
            }
        }
        Path backup = dir.resolve(TornKvRecovery.BACKUP_DIR);
        assertFalse(Files.exists(dir.resolve(TornKvRecovery.REPLACING_FLAG)));
        assertEquals(15, backedUpLastIndex(), "the backup holds the raft state as it was");
        assertTrue(Files.exists(backup.resolve("kv").resolve("data.mdb")), "the kv data is set aside, not deleted");

        // The next start is an ordinary one; the fence stays until the log grows back.
        TornKvRecovery.Opened again = TornKvRecovery.open(settings);
        try (Engines engines = again.engines()) {
            assertTrue(again.refilling().isEmpty());
            assertEquals(15, engines.raftLog().fence(1).getIndex());
        }
    }

    /** A crash after the kv data was set aside but before the new one had the store ident: redone, not bootstrapped. */
    @ParameterizedTest
    @EnumSource(RaftLogLayout.class)
    void aCrashWhileReplacingTheKvDataRedoesTheReplacement(RaftLogLayout layout) throws Exception {
        tornKvIsSetAsideAndEachRegionKeepsTermAndVoteBehindAFence(layout);
        Files.writeString(dir.resolve(TornKvRecovery.REPLACING_FLAG), "");
        TornKvRecovery.Opened opened = TornKvRecovery.open(settings());
        try (Engines engines = opened.engines()) {
            assertEquals(Map.of(1L, 15L), opened.refilling());
            try (ReadView kv = engines.kv().readView()) {
                assertNotNull(Meta.storeIdent(kv));
            }
            assertEquals(7, engines.raftLog().state(1).getHardState().getTerm());
        }
        assertEquals(15, backedUpLastIndex(), "the first backup is kept");
    }

    /** Another OS crash during the refill keeps the first backup; one after the refill caught up replaces it. */
    @ParameterizedTest
    @EnumSource(RaftLogLayout.class)
    void aBackupIsKeptWhileTheRefillIsUnderWayAndReplacedOnceItCaughtUp(RaftLogLayout layout) throws Exception {
        tornKvIsSetAsideAndEachRegionKeepsTermAndVoteBehindAFence(layout);
        crashWithUnsyncedKv("boot-2");
        assertEquals(15, backedUpLastIndex(), "mid-refill: the original data stays in the backup");

        // The refill caught up (the log is past the fence), then the OS went down again.
        try (Engines engines = Engines.open(dir, settings().engine())) {
            engines.raftLog().commitAll(List.of(new RaftLogBatch().state(1, RaftLocalState.newBuilder()
                    .setLastIndex(20).setLastTerm(8).setHardState(HardState.newBuilder().setTerm(8).setCommit(20)).build())));
        }
        crashWithUnsyncedKv("boot-3");
        assertEquals(20, backedUpLastIndex(), "after a completed refill the old backup is stale and replaced");
    }

    private void crashWithUnsyncedKv(String newBoot) throws Exception {
        Files.writeString(dir.resolve("kv").resolve(UnsyncedMarker.FILE_NAME), "boot-before-" + newBoot);
        System.setProperty(UnsyncedMarker.BOOT_ID_PROPERTY, newBoot);
        try {
            TornKvRecovery.open(settings()).engines().close();
        } finally {
            System.clearProperty(UnsyncedMarker.BOOT_ID_PROPERTY);
        }
    }

    private long backedUpLastIndex() {
        try (RaftLogStore raft = RaftLogStores.openLayout(layout,
                dir.resolve(TornKvRecovery.BACKUP_DIR).resolve(layout.dirName()), settings().engine())) {
            return raft.state(1).getLastIndex();
        }
    }
}
