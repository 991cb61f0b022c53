package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.CorruptedDataException;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogLayout;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.raft.CompactedException;
import io.regionkv.raft.SnapshotTemporarilyUnavailableException;
import io.regionkv.raft.UnavailableException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ports of TinyKV's peer_storage tests (Term, Entries, Append, ClearMeta) plus log GC and recovery. */
class PeerStorageTest {
    /** The raft log layout the cases run on; {@link AppendLogPeerStorageTest} runs them on the other. */
    RaftLogLayout layout() {
        return RaftLogLayout.LMDB;
    }

    private EngineConfig config() {
        return EngineConfig.defaults().withSyncOnCommit(false).withRaftLog(layout());
    }

    private static final Region REGION = Region.newBuilder()
            .setId(1)
            .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(1).setVersion(1))
            .addPeers(Peer.newBuilder().setId(1).setStoreId(1))
            .build();

    @TempDir
    Path dir;

    private Engines engines;

    @BeforeEach
    void open() {
        engines = Engines.open(dir, config());
    }

    @AfterEach
    void close() {
        engines.close();
    }

    // ---- TinyKV: TestStorageTerm ----

    @Test
    void term() {
        PeerStorage storage = storageFromEntries(List.of(entry(3, 3), entry(4, 4), entry(5, 5)));
        assertThrows(CompactedException.class, () -> storage.term(2));
        assertEquals(3, storage.term(3), "the truncated index answers with the truncated term");
        assertEquals(4, storage.term(4));
        assertEquals(5, storage.term(5));
        assertThrows(UnavailableException.class, () -> storage.term(6));
    }

    // ---- TinyKV: TestStorageEntries (with etcd's size-limit cases) ----

    @Test
    void entries() {
        List<Entry> ents = List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 6));
        PeerStorage storage = storageFromEntries(ents);
        long size4 = ents.get(1).getSerializedSize();
        long size5 = ents.get(2).getSerializedSize();
        long size6 = ents.get(3).getSerializedSize();
        assertThrows(CompactedException.class, () -> storage.entries(2, 6, Long.MAX_VALUE));
        assertThrows(CompactedException.class, () -> storage.entries(3, 4, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4)), storage.entries(4, 5, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4), entry(5, 5)), storage.entries(4, 6, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4), entry(5, 5), entry(6, 6)), storage.entries(4, 7, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4)), storage.entries(4, 7, 0), "at least one entry");
        assertEquals(List.of(entry(4, 4)), storage.entries(4, 7, size4 + size5 / 2));
        assertEquals(List.of(entry(4, 4), entry(5, 5)), storage.entries(4, 7, size4 + size5));
        assertEquals(List.of(entry(4, 4), entry(5, 5)), storage.entries(4, 7, size4 + size5 + size6 - 1));
        assertEquals(List.of(entry(4, 4), entry(5, 5), entry(6, 6)), storage.entries(4, 7, size4 + size5 + size6));
        assertEquals(List.of(), storage.entries(5, 5, Long.MAX_VALUE));
        assertThrows(UnavailableException.class, () -> storage.entries(4, 8, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> storage.entries(5, 4, Long.MAX_VALUE));
        assertEquals(4, storage.firstIndex());
        assertEquals(6, storage.lastIndex());
    }

    // ---- TinyKV: TestStorageAppend ----

    @Test
    void append() {
        record Case(List<Entry> append, List<Entry> want) {}
        List<Case> cases = List.of(
                new Case(List.of(entry(3, 3), entry(4, 4), entry(5, 5)), List.of(entry(4, 4), entry(5, 5))),
                new Case(List.of(entry(3, 3), entry(4, 6), entry(5, 6)), List.of(entry(4, 6), entry(5, 6))),
                new Case(List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5)),
                        List.of(entry(4, 4), entry(5, 5), entry(6, 5))),
                // truncate the incoming entries, truncate the existing ones and append
                new Case(List.of(entry(2, 3), entry(3, 3), entry(4, 5)), List.of(entry(4, 5))),
                // truncate the existing entries and append
                new Case(List.of(entry(4, 5)), List.of(entry(4, 5))),
                // direct append
                new Case(List.of(entry(6, 5)), List.of(entry(4, 4), entry(5, 5), entry(6, 5))));
        int n = 0;
        for (Case c : cases) {
            engines.close();
            engines = Engines.open(dir.resolve("case" + n++), config());
            PeerStorage storage = storageFromEntries(List.of(entry(3, 3), entry(4, 4), entry(5, 5)));
            // Raft never overwrites committed entries, and these cases rewrite 4 and 5: only 3 counts as
            // committed and applied (the fixture, like TinyKV's, claims 5).
            setApplied(storage, 3);
            persist(storage, c.append(), HardState.newBuilder().setTerm(6).setCommit(3).build());
            Entry last = c.want().get(c.want().size() - 1);
            assertEquals(last.getIndex(), storage.lastIndex(), "case " + c);
            assertEquals(c.want(), storage.entries(4, storage.lastIndex() + 1, Long.MAX_VALUE), "case " + c);
            assertEquals(last.getTerm(), storage.term(last.getIndex()));
            // Nothing is left on disk beyond the new last index, and a reload agrees.
            assertEquals(last.getIndex(), engines.raftLog().shape(1).lastIndex(), "case " + c);
            assertEquals(c.want(), engines.raftLog().entries(1, 4, last.getIndex() + 1, Long.MAX_VALUE), "case " + c);
            PeerStorage reloaded = PeerStorage.load(engines, REGION);
            assertEquals(c.want(), reloaded.entries(4, reloaded.lastIndex() + 1, Long.MAX_VALUE), "reloaded " + c);
        }
    }

    @Test
    void appendRejectsHolesAndGapsAndChangesNothing() {
        PeerStorage storage = storageFromEntries(List.of(entry(3, 3), entry(4, 4), entry(5, 5)));
        RaftLogBatch batch = new RaftLogBatch();
        assertThrows(IllegalArgumentException.class, () -> storage.prepareRaftWrite(List.of(entry(7, 5)), null, batch));
        assertThrows(IllegalArgumentException.class,
                () -> storage.prepareRaftWrite(List.of(entry(6, 5), entry(8, 5)), null, batch));
        assertTrue(batch.isEmpty());
        assertFalse(storage.raftWriteInFlight());
    }

    @Test
    void storageChangesOnlyWhenTheWriteIsPersisted() {
        PeerStorage storage = storageFromEntries(List.of(entry(3, 3), entry(4, 4), entry(5, 5)));
        HardState hard = HardState.newBuilder().setTerm(6).setVote(1).setCommit(5).build();
        RaftLogBatch batch = new RaftLogBatch();
        RaftLocalState next = storage.prepareRaftWrite(List.of(entry(6, 6), entry(7, 6)), hard, batch);
        assertEquals(7, next.getLastIndex());
        assertEquals(6, next.getLastTerm());
        assertEquals(hard, next.getHardState());
        assertEquals(5, storage.lastIndex(), "the in-flight write is not visible yet");
        assertThrows(UnavailableException.class, () -> storage.entries(6, 8, Long.MAX_VALUE));
        assertThrows(IllegalStateException.class,
                () -> storage.prepareRaftWrite(List.of(), null, new RaftLogBatch()), "one write in flight");
        commitRaft(batch);
        assertThrows(IllegalStateException.class,
                () -> storage.onRaftWritePersisted(next.toBuilder().setLastIndex(99).build()));
        storage.onRaftWritePersisted(next);
        assertEquals(7, storage.lastIndex());
        assertEquals(6, storage.term(7));
        assertEquals(List.of(entry(6, 6), entry(7, 6)), storage.entries(6, 8, Long.MAX_VALUE));
        assertEquals(hard, storage.initialState().hardState());

        // A failed write leaves everything as it was, and the next one may go.
        RaftLogBatch failed = new RaftLogBatch();
        storage.prepareRaftWrite(List.of(entry(8, 6)), null, failed);
        storage.onRaftWriteFailed();
        assertEquals(7, storage.lastIndex());
        RaftLogBatch unchanged = new RaftLogBatch();
        RaftLocalState same = storage.prepareRaftWrite(List.of(), null, unchanged);
        assertTrue(unchanged.isEmpty(), "nothing changed, nothing to write");
        storage.onRaftWritePersisted(same);
    }

    // ---- TinyKV: ClearMeta ----

    @Test
    void clearMeta() {
        PeerStorage storage = storageFromEntries(List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 6)));
        // A neighbour region whose keys sit right next to region 1's must survive.
        Region other = REGION.toBuilder().setId(2).build();
        RaftLogBatch otherRaft = new RaftLogBatch();
        WriteBatch otherKv = new WriteBatch();
        Bootstrap.initialRegionState(other, otherRaft, otherKv);
        otherRaft.append(2, List.of(entry(6, 5)));
        commitRaft(otherRaft);
        engines.kv().commit(otherKv);
        assertEquals(3, countRaftKeys(1) - 1, "log entries 4..6 plus the raft state");

        RaftLogBatch raft = new RaftLogBatch();
        WriteBatch kv = new WriteBatch();
        storage.clearMeta(raft, kv);
        commitRaft(raft);
        engines.kv().commit(kv);

        assertEquals(0, countRaftKeys(1));
        try (ReadView view = engines.kv().readView()) {
            assertNull(Meta.applyState(view, 1));
            assertNull(Meta.regionLocalState(view, 1));
            assertNotNull(Meta.applyState(view, 2));
            assertNotNull(Meta.regionLocalState(view, 2));
        }
        assertEquals(2, countRaftKeys(2));

        // A tombstone written after ClearMeta in the same batch stays.
        RaftLogBatch raft2 = new RaftLogBatch();
        WriteBatch kv2 = new WriteBatch();
        PeerStorage.load(engines, other).clearMeta(raft2, kv2);
        Meta.putRegionState(kv2, other, PeerState.Tombstone);
        commitRaft(raft2);
        engines.kv().commit(kv2);
        assertEquals(0, countRaftKeys(2));
        try (ReadView view = engines.kv().readView()) {
            assertEquals(PeerState.Tombstone, Meta.regionLocalState(view, 2).getState());
            assertNull(Meta.applyState(view, 2));
        }
    }

    // ---- raft-log GC: CompactLog moves the truncated state, then the entries below it go ----

    @Test
    void raftLogGc() {
        List<Entry> ents = new ArrayList<>();
        for (long i = 3; i <= 10; i++) {
            ents.add(entry(i, i));
        }
        PeerStorage storage = storageFromEntries(ents);
        assertEquals(4, storage.firstIndex());

        // Applying CompactLog(index 7, term 7) persists the new truncated state with the apply state.
        compact(storage, 7, 7);
        assertEquals(8, storage.firstIndex());
        assertEquals(7, storage.term(7));
        assertThrows(CompactedException.class, () -> storage.term(6));
        assertThrows(CompactedException.class, () -> storage.entries(7, 9, Long.MAX_VALUE));
        // Until the GC runs, the old entries are still on disk (harmless: below firstIndex).
        assertEquals(7, countLog(1));

        commitRaft(new RaftLogBatch().compact(1, 8));
        assertEquals(3, countLog(1));
        assertEquals(ents.subList(5, 8), storage.entries(8, 11, Long.MAX_VALUE));
        for (long i = 4; i < 8; i++) {
            assertTrue(engines.raftLog().term(1, i).isEmpty(), "entry " + i + " collected");
        }

        // The first kept index is exclusive of what goes.
        compact(storage, 9, 9);
        commitRaft(new RaftLogBatch().compact(1, 10));
        assertEquals(1, countLog(1));
        assertEquals(List.of(entry(10, 10)), storage.entries(10, 11, Long.MAX_VALUE));
        assertEquals(9, storage.term(9));

        PeerStorage reloaded = PeerStorage.load(engines, REGION);
        assertEquals(10, reloaded.firstIndex());
        assertEquals(10, reloaded.lastIndex());
    }

    // ---- recovery after restart ----

    @Test
    void restartRecoversTheSameState() {
        Region region = REGION.toBuilder()
                .addPeers(Peer.newBuilder().setId(2).setStoreId(2))
                .addPeers(Peer.newBuilder().setId(3).setStoreId(3).setRole(PeerRole.Learner))
                .build();
        bootstrap(region);
        PeerStorage storage = PeerStorage.load(engines, region);
        HardState hard = HardState.newBuilder().setTerm(7).setVote(2).setCommit(8).build();
        persist(storage, List.of(entry(6, 6), entry(7, 7), entry(8, 7), entry(9, 7)), hard);
        RaftApplyState apply = storage.applyState().toBuilder().setAppliedIndex(8).build();
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, 1, apply);
        engines.kv().commit(kv);
        storage.setApplyState(apply);
        List<Entry> written = storage.entries(6, 10, Long.MAX_VALUE);

        engines.close();
        engines = Engines.open(dir, config());
        PeerStorage recovered = PeerStorage.load(engines, region);
        assertEquals(storage.raftState(), recovered.raftState());
        assertEquals(storage.applyState(), recovered.applyState());
        assertEquals(6, recovered.firstIndex());
        assertEquals(9, recovered.lastIndex());
        assertEquals(5, recovered.term(5));
        assertEquals(7, recovered.term(9));
        assertEquals(written, recovered.entries(6, 10, Long.MAX_VALUE));
        assertEquals(List.of(entry(6, 6), entry(7, 7), entry(8, 7), entry(9, 7)), written);
        assertEquals(hard, recovered.initialState().hardState());
        assertEquals(ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(3).build(),
                recovered.initialState().confState());
    }

    @Test
    void restartMovesCommitUpToAnApplyThatRanAhead() {
        bootstrap(REGION);
        PeerStorage storage = PeerStorage.load(engines, REGION);
        persist(storage, List.of(entry(6, 6), entry(7, 6)), HardState.newBuilder().setTerm(6).setCommit(5).build());
        // The kv environment persisted applied 7 but the raft environment never got the hard state with commit 7.
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, 1, storage.applyState().toBuilder().setAppliedIndex(7).build());
        engines.kv().commit(kv);
        PeerStorage recovered = PeerStorage.load(engines, REGION);
        assertEquals(7, recovered.initialState().hardState().getCommit());
        assertEquals(6, recovered.initialState().hardState().getTerm());
    }

    @Test
    void restartAfterASnapshotWhoseRaftHalfWasLostStartsTheLogAtTheSnapshot() {
        bootstrap(REGION);
        // The kv half of a snapshot at 9 (data, applied = truncated = 9) committed; the raft half did not.
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, 1, RaftApplyState.newBuilder()
                .setAppliedIndex(9)
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(9).setTerm(7))
                .build());
        engines.kv().commit(kv);
        PeerStorage recovered = PeerStorage.load(engines, REGION);
        assertEquals(9, recovered.lastIndex());
        assertEquals(10, recovered.firstIndex());
        assertEquals(7, recovered.term(9));
        assertEquals(9, recovered.initialState().hardState().getCommit());
    }

    @Test
    void contradictoryStatesAreReportedAsCorruption() {
        bootstrap(REGION);
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, 1, RaftApplyState.newBuilder()
                .setAppliedIndex(10)
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(9).setTerm(5))
                .build());
        engines.kv().commit(kv);
        CorruptedDataException e = assertThrows(CorruptedDataException.class, () -> PeerStorage.load(engines, REGION));
        assertTrue(e.getMessage().contains("truncated index 9"), e.getMessage());
    }

    @Test
    void aPeerCreatedFromAMessageStartsEmpty() {
        Region bare = Region.newBuilder().setId(42).build();
        PeerStorage storage = PeerStorage.load(engines, bare);
        assertEquals(1, storage.firstIndex());
        assertEquals(0, storage.lastIndex());
        assertEquals(0, storage.term(0));
        assertEquals(HardState.getDefaultInstance(), storage.initialState().hardState());
        assertEquals(ConfState.getDefaultInstance(), storage.initialState().confState());
        assertThrows(UnavailableException.class, () -> storage.term(1));
        assertThrows(SnapshotTemporarilyUnavailableException.class, storage::snapshot);
    }

    @Test
    void aSnapshotOfAnOlderMembershipIsBuiltAgain() {
        PeerStorage storage = PeerStorage.load(engines, REGION);
        int[] requests = {0};
        storage.setSnapshotRequester(() -> requests[0]++);
        assertThrows(SnapshotTemporarilyUnavailableException.class, storage::snapshot);
        assertEquals(1, requests[0]);
        Snapshot before = snapshotOf(REGION, storage.truncatedIndex());
        storage.onSnapshotGenerated(before);
        assertEquals(before, storage.snapshot());

        // A learner was added: raft asks for a snapshot to send it. The one built before does not list
        // it, so the learner would refuse it; a new one is asked for instead of sending that one again.
        Region grown = REGION.toBuilder()
                .setRegionEpoch(REGION.getRegionEpoch().toBuilder().setConfVer(2))
                .addPeers(Peer.newBuilder().setId(2).setStoreId(2).setRole(PeerRole.Learner))
                .build();
        storage.setRegion(grown);
        assertThrows(SnapshotTemporarilyUnavailableException.class, storage::snapshot);
        assertEquals(2, requests[0]);
        Snapshot after = snapshotOf(grown, storage.truncatedIndex());
        storage.onSnapshotGenerated(after);
        assertEquals(after, storage.snapshot());
        assertEquals(2, requests[0]);
    }

    private static Snapshot snapshotOf(Region region, long index) {
        return Snapshot.newBuilder()
                .setData(RaftSnapshotData.newBuilder().setRegion(region).build().toByteString())
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(5)
                        .setConfState(PeerStorage.confStateOf(region)))
                .build();
    }

    // ---- bootstrap ----

    @Test
    void bootstrapWritesIdentAndFirstRegionOnce() {
        assertTrue(Bootstrap.isEmpty(engines));
        engines.kv().commit(Bootstrap.storeIdent(engines, 10, 1));
        assertThrows(IllegalStateException.class, () -> Bootstrap.storeIdent(engines, 10, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Bootstrap.initialRegionState(Region.newBuilder().setId(1).build(), new RaftLogBatch(), new WriteBatch()));
        bootstrap(REGION);
        try (ReadView view = engines.kv().readView()) {
            assertEquals(1, Meta.storeIdent(view).getStoreId());
            assertEquals(10, Meta.storeIdent(view).getClusterId());
            List<RegionLocalState> regions = Meta.regionLocalStates(view);
            assertEquals(1, regions.size());
            assertEquals(REGION, regions.get(0).getRegion());
            assertEquals(PeerState.Normal, regions.get(0).getState());
        }
        PeerStorage storage = PeerStorage.load(engines, REGION);
        assertEquals(Bootstrap.INIT_INDEX + 1, storage.firstIndex());
        assertEquals(Bootstrap.INIT_INDEX, storage.lastIndex());
        assertEquals(Bootstrap.INIT_TERM, storage.term(Bootstrap.INIT_INDEX));
        assertEquals(Bootstrap.INIT_INDEX, storage.appliedIndex());
        assertEquals(HardState.newBuilder().setTerm(5).setCommit(5).build(), storage.initialState().hardState());
        assertEquals(List.of(), storage.entries(6, 6, Long.MAX_VALUE));
    }

    // ---- helpers ----

    /**
     * Like TinyKV's newTestPeerStorageFromEnts: a bootstrapped region whose truncated state is {@code ents[0]}
     * and whose log holds the rest, applied up to the last.
     */
    private PeerStorage storageFromEntries(List<Entry> ents) {
        bootstrap(REGION);
        PeerStorage storage = PeerStorage.load(engines, REGION);
        Entry first = ents.get(0);
        Entry last = ents.get(ents.size() - 1);
        RaftApplyState truncated = storage.applyState().toBuilder()
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(first.getIndex()).setTerm(first.getTerm()))
                .build();
        storage.setApplyState(truncated);
        persist(storage, ents.subList(1, ents.size()), null);
        RaftApplyState apply = truncated.toBuilder().setAppliedIndex(last.getIndex()).build();
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, REGION.getId(), apply);
        engines.kv().commit(kv);
        storage.setApplyState(apply);
        return storage;
    }

    private void bootstrap(Region region) {
        RaftLogBatch raft = new RaftLogBatch();
        WriteBatch kv = new WriteBatch();
        Bootstrap.initialRegionState(region, raft, kv);
        commitRaft(raft);
        engines.kv().commit(kv);
    }

    private void persist(PeerStorage storage, List<Entry> entries, HardState hard) {
        RaftLogBatch batch = new RaftLogBatch();
        RaftLocalState state = storage.prepareRaftWrite(entries, hard, batch);
        commitRaft(batch);
        storage.onRaftWritePersisted(state);
    }

    private void commitRaft(RaftLogBatch batch) {
        engines.raftLog().commitAll(List.of(batch));
    }

    private void compact(PeerStorage storage, long index, long term) {
        RaftApplyState apply = storage.applyState().toBuilder()
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(index).setTerm(term))
                .build();
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, storage.regionId(), apply);
        engines.kv().commit(kv);
        storage.setApplyState(apply);
    }

    private void setApplied(PeerStorage storage, long applied) {
        RaftApplyState apply = storage.applyState().toBuilder().setAppliedIndex(applied).build();
        WriteBatch kv = new WriteBatch();
        Meta.putApplyState(kv, storage.regionId(), apply);
        engines.kv().commit(kv);
        storage.setApplyState(apply);
    }

    private long countLog(long regionId) {
        return engines.raftLog().shape(regionId).size();
    }

    /** Log entries plus the raft state of the region. */
    private long countRaftKeys(long regionId) {
        return countLog(regionId) + (engines.raftLog().state(regionId) == null ? 0 : 1);
    }

    private static Entry entry(long index, long term) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8("e" + index)).build();
    }
}
