package io.regionkv.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.engine.CorruptedDataException;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engines;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.raft.CompactedException;
import io.regionkv.raft.InitialState;
import io.regionkv.raft.SnapshotTemporarilyUnavailableException;
import io.regionkv.raft.Storage;
import io.regionkv.raft.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Raft's {@link Storage} for one region replica, over the store's storage. Entries and the
 * {@code RaftLocalState} live in the raft log ({@link RaftLogStore}, either layout); the truncated state
 * (which sets {@link #firstIndex()}) lives in the {@code RaftApplyState} of the kv environment, written
 * together with the applied data.
 *
 * <p>Owned by one peer actor; not thread-safe. Reads go to the raft log directly. Writes never touch the
 * disk here: {@link #prepareRaftWrite} fills a raft-log batch that the peer hands to the
 * {@code RaftLogWriter}, and the peer reports back with {@link #onRaftWritePersisted}.
 *
 * <p>The in-memory view changes only once a write is persisted, not when it is prepared. While the batch is
 * in flight the peer keeps stepping raft, and raft reads this storage: had the view moved already,
 * {@code lastIndex()} would promise entries that LMDB does not hold yet and {@code entries()} would find a
 * hole. Raft's unstable log already covers the entries not yet persisted, so lagging costs nothing, and a
 * failed write leaves the view consistent with the disk.
 *
 * <p>Entries persisted and not yet applied are also kept in an {@link EntryCache}: every apply batch reads
 * its committed entries back, and with many small batches that read (a system call and a parse each)
 * showed in the profile. Terms still come from the log's index in memory.
 */
public final class PeerStorage implements Storage {
    private final RaftLogStore raftLog;
    private final long regionId;
    private Region region;
    private RaftLocalState raftState;
    private RaftApplyState applyState;
    /** The state a prepared write will leave on disk; {@code null} when no raft write is in flight. */
    private RaftLocalState inFlight;
    /** The entries the write in flight appends: the cache takes them once they are durable. */
    private List<Entry> inFlightEntries = List.of();
    private final EntryCache cache = new EntryCache();
    /** The latest snapshot built for followers, and whether one is being built. */
    private Snapshot generated;
    /** The conf_ver of the region inside {@link #generated}: older than the region's, it is built again. */
    private long generatedConfVer;
    private boolean generating;
    private Runnable snapshotRequester;
    /** See Keys.voteFenceKey; index 0 for a store that never discarded its data. */
    private io.regionkv.proto.RaftServerpb.RaftTruncatedState voteFence;
    /**
     * The log holds no live entry (its last index is the truncated one), so the next write restarts it
     * after the truncated index: whatever lies below is dead, and the append layout refuses an append that
     * does not follow the entries it holds (a snapshot's raft half a crash prevented leaves such a log).
     */
    private boolean restartLog;

    private PeerStorage(RaftLogStore raftLog, Region region, RaftLocalState raftState, RaftApplyState applyState) {
        this.raftLog = raftLog;
        this.regionId = region.getId();
        this.region = region;
        this.raftState = raftState;
        this.applyState = applyState;
    }

    /**
     * Loads the storage of {@code region} from disk, as after a restart. A region with nothing on disk (a
     * peer just created from a message) starts empty at index 0 and is filled by a snapshot; a region made
     * by bootstrap or split has its initial states written by whoever created it ({@link Bootstrap}).
     *
     * @throws CorruptedDataException if the persisted states contradict each other
     */
    public static PeerStorage load(Engines engines, Region region) {
        Objects.requireNonNull(region, "region");
        if (region.getId() == 0) {
            throw new IllegalArgumentException("region id must not be 0");
        }
        RaftLogStore raftLog = engines.raftLog();
        RaftLocalState raftState = raftLog.state(region.getId());
        io.regionkv.proto.RaftServerpb.RaftTruncatedState voteFence = raftLog.fence(region.getId());
        RaftApplyState applyState;
        try (ReadView view = engines.kv().readView()) {
            applyState = Meta.applyState(view, region.getId());
        }
        if (applyState == null) {
            applyState = RaftApplyState.getDefaultInstance();
        }
        if (raftState == null) {
            if (applyState.getTruncatedState().getIndex() == Bootstrap.INIT_INDEX
                    && applyState.getAppliedIndex() == Bootstrap.INIT_INDEX) {
                // A region born from a split: its states are written with the split, in the kv environment
                // only (one atomic transaction); its raft log starts where the initial apply state says.
                raftState = Bootstrap.initialRaftState();
            } else {
                raftState = RaftLocalState.newBuilder().setHardState(HardState.getDefaultInstance()).build();
            }
        }
        PeerStorage storage = new PeerStorage(raftLog, region, recover(region.getId(), raftState, applyState), applyState);
        storage.voteFence = voteFence;
        storage.checkLiveEntries();
        return storage;
    }

    /** The last entry of a log this peer lost (see RawNode.fenceVotesBelow); index 0 for none. */
    public io.regionkv.proto.RaftServerpb.RaftTruncatedState voteFence() {
        return voteFence;
    }

    /**
     * The log must hold every entry between the truncated and the last index; when it holds none, the
     * next write restarts it.
     *
     * @throws CorruptedDataException if live entries are missing
     */
    private void checkLiveEntries() {
        long last = lastIndex();
        long truncated = truncatedIndex();
        if (last == truncated) {
            restartLog = true;
            return;
        }
        if (raftLog.term(regionId, truncated + 1).isEmpty() || raftLog.term(regionId, last).isEmpty()) {
            throw new CorruptedDataException("region " + regionId + ": the raft log lacks live entries of ("
                    + truncated + ", " + last + "]; it holds " + raftLog.shape(regionId));
        }
    }

    private static RaftLocalState recover(long regionId, RaftLocalState raftState, RaftApplyState applyState) {
        long last = raftState.getLastIndex();
        long truncated = applyState.getTruncatedState().getIndex();
        long applied = applyState.getAppliedIndex();
        if (applied > last && applied == truncated) {
            // A snapshot's kv half committed and the process died before its raft half: the log restarts
            // at the snapshot point, which is what the raft write would have said.
            return raftState.toBuilder().setLastIndex(truncated).setLastTerm(applyState.getTruncatedState().getTerm())
                    .setHardState(raftState.getHardState().toBuilder()
                            .setCommit(Math.max(truncated, raftState.getHardState().getCommit()))
                            .setTerm(Math.max(raftState.getHardState().getTerm(), applyState.getTruncatedState().getTerm())))
                    .build();
        }
        if (last < truncated) {
            throw new CorruptedDataException("region " + regionId + ": last index " + last
                    + " is below the truncated index " + truncated);
        }
        if (applied > last) {
            throw new CorruptedDataException("region " + regionId + ": applied index " + applied
                    + " is beyond the last index " + last);
        }
        if (raftState.getHardState().getCommit() > last) {
            throw new CorruptedDataException("region " + regionId + ": commit index "
                    + raftState.getHardState().getCommit() + " is beyond the last index " + last);
        }
        if (raftState.getHardState().getCommit() < applied) {
            // The kv and raft environments commit separately: a crash can keep an apply that ran ahead of
            // the hard state carrying its commit index. Applied entries were committed, so move commit up.
            return raftState.toBuilder()
                    .setHardState(raftState.getHardState().toBuilder().setCommit(applied))
                    .build();
        }
        return raftState;
    }

    public long regionId() {
        return regionId;
    }

    public Region region() {
        return region;
    }

    /** After a persisted change of the region (conf change, split): membership comes from here. */
    public void setRegion(Region region) {
        if (region.getId() != regionId) {
            throw new IllegalArgumentException("region " + region.getId() + " given to the storage of region " + regionId);
        }
        this.region = region;
    }

    public RaftLocalState raftState() {
        return raftState;
    }

    public RaftApplyState applyState() {
        return applyState;
    }

    public long appliedIndex() {
        return applyState.getAppliedIndex();
    }

    public long truncatedIndex() {
        return applyState.getTruncatedState().getIndex();
    }

    public long truncatedTerm() {
        return applyState.getTruncatedState().getTerm();
    }

    /** After the kv writer persisted a new apply state (applied index, or a truncation by CompactLog). */
    public void setApplyState(RaftApplyState state) {
        if (state.getTruncatedState().getIndex() > raftState.getLastIndex()) {
            throw new IllegalArgumentException("truncated index " + state.getTruncatedState().getIndex()
                    + " is beyond the last index " + raftState.getLastIndex());
        }
        this.applyState = state;
        cache.dropThrough(state.getAppliedIndex());
    }

    // ---- Storage -------------------------------------------------------------------------------------

    @Override
    public InitialState initialState() {
        return new InitialState(raftState.getHardState(), confStateOf(region));
    }

    /** Raft membership as the region's peers describe it: voters and learners by role. */
    public static ConfState confStateOf(Region region) {
        ConfState.Builder conf = ConfState.newBuilder();
        for (Peer peer : region.getPeersList()) {
            if (peer.getRole() == PeerRole.Learner) {
                conf.addLearners(peer.getId());
            } else {
                conf.addVoters(peer.getId());
            }
        }
        return conf.build();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSize) {
        if (lo > hi) {
            throw new IllegalArgumentException("invalid entry range [" + lo + ", " + hi + ")");
        }
        if (lo <= truncatedIndex()) {
            throw new CompactedException(lo, truncatedIndex());
        }
        if (hi > lastIndex() + 1) {
            throw new UnavailableException(hi - 1, lastIndex());
        }
        if (lo == hi) {
            return new ArrayList<>();
        }
        List<Entry> cached = cache.slice(lo, hi, maxSize);
        return cached != null ? cached : raftLog.entries(regionId, lo, hi, maxSize);
    }

    @Override
    public long term(long index) {
        long truncated = truncatedIndex();
        if (index == truncated) {
            return truncatedTerm();
        }
        if (index < truncated) {
            throw new CompactedException(index, truncated);
        }
        if (index > lastIndex()) {
            throw new UnavailableException(index, lastIndex());
        }
        if (index == lastIndex()) {
            return raftState.getLastTerm();
        }
        return raftLog.term(regionId, index).orElseThrow(() -> new CorruptedDataException("region " + regionId
                + ": entry " + index + " is missing below last index " + lastIndex()));
    }

    @Override
    public long lastIndex() {
        return raftState.getLastIndex();
    }

    @Override
    public long firstIndex() {
        return truncatedIndex() + 1;
    }

    /**
     * The latest generated snapshot if it is still recent enough to replace the compacted log and holds the
     * region's current membership; otherwise asks for a new one (through the requester the peer set, which
     * hands the work to its snapshot child) and tells raft to try again later, which it does on the
     * follower's next response.
     *
     * <p>The membership matters because raft adds a new peer's progress as soon as the conf change is
     * applied in memory, before the kv write that records the new region lands: a snapshot asked for then
     * is built from the engine's older region, without the new peer. That peer refuses a snapshot it is not
     * a member of, and an idle region's truncated index never moves past it, so the same snapshot was sent
     * forever and the learner never caught up (seen as a replica repair stuck under load).
     */
    @Override
    public Snapshot snapshot() {
        if (generated != null && generated.getMetadata().getIndex() >= truncatedIndex()
                && generatedConfVer >= region.getRegionEpoch().getConfVer()) {
            return generated;
        }
        if (!generating && snapshotRequester != null) {
            generating = true;
            snapshotRequester.run();
        }
        throw new SnapshotTemporarilyUnavailableException();
    }

    /** Who builds snapshots when raft asks for one; the peer sets it (its snapshot child). */
    public void setSnapshotRequester(Runnable requester) {
        this.snapshotRequester = requester;
    }

    /** A requested snapshot is ready ({@code null}: generation failed and may be asked again). */
    public void onSnapshotGenerated(Snapshot snapshot) {
        generating = false;
        if (snapshot == null) return;
        try {
            generatedConfVer = RaftSnapshotData.parseFrom(snapshot.getData()).getRegion().getRegionEpoch().getConfVer();
        } catch (InvalidProtocolBufferException e) {
            return; // not one the snapshot child could have built: ask again rather than send it
        }
        generated = snapshot;
    }

    /** Index of the snapshot kept for followers, or 0. */
    public long generatedSnapshotIndex() {
        return generated == null ? 0 : generated.getMetadata().getIndex();
    }

    /**
     * Fills {@code raftBatch} for a Ready that carries a snapshot from the leader: the whole old log goes,
     * the log restarts after the snapshot's index, then {@code entries} beyond it are appended. The kv half
     * (data, apply state, region) must already be durable: on restart an apply state ahead of the raft
     * state is repaired from the snapshot point ({@link #load}), while the opposite would leave a log with
     * a hole.
     */
    public RaftLocalState prepareSnapshotWrite(Snapshot snapshot, List<Entry> entries, HardState hardState,
            RaftLogBatch raftBatch) {
        if (inFlight != null) {
            throw new IllegalStateException("region " + regionId + ": a raft write is already in flight");
        }
        long index = snapshot.getMetadata().getIndex();
        long term = snapshot.getMetadata().getTerm();
        raftBatch.restart(regionId, index + 1);
        RaftLocalState.Builder next = raftState.toBuilder().setLastIndex(index).setLastTerm(term);
        List<Entry> beyond = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (e.getIndex() <= index) continue;
            beyond.add(e);
            next.setLastIndex(e.getIndex()).setLastTerm(e.getTerm());
        }
        raftBatch.append(regionId, beyond);
        HardState hs = hardState != null ? hardState : raftState.getHardState();
        if (hs.getCommit() < index) hs = hs.toBuilder().setCommit(index).build();
        next.setHardState(hs);
        RaftLocalState state = next.build();
        raftBatch.state(regionId, state);
        inFlight = state;
        return state;
    }

    /** The snapshot's raft half is durable too: the storage now starts at the snapshot. */
    public void onSnapshotPersisted(RaftLocalState state, RaftApplyState apply, Region snapshotRegion) {
        if (inFlight == null || !inFlight.equals(state)) {
            throw new IllegalStateException("region " + regionId + ": no snapshot write in flight for " + state);
        }
        raftState = state;
        applyState = apply;
        region = snapshotRegion;
        inFlight = null;
        restartLog = false;
        cache.clear();
    }

    // ---- write side ----------------------------------------------------------------------------------

    /**
     * Fills {@code raftBatch} with what a Ready asks to persist: the new {@code entries} (a contiguous run
     * that may overwrite a conflicting tail, whose entries beyond the new last index are deleted), the
     * {@code hardState} ({@code null} when unchanged), and the resulting {@code RaftLocalState}, all in the
     * one batch so they persist atomically. Entries at or below the truncated index are skipped.
     *
     * <p>Answers the state the batch leaves on disk; pass it to {@link #onRaftWritePersisted} once the
     * writer confirmed. One write may be in flight at a time (the peer handles one Ready at a time).
     */
    public RaftLocalState prepareRaftWrite(List<Entry> entries, HardState hardState, RaftLogBatch raftBatch) {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(raftBatch, "raftBatch");
        if (inFlight != null) {
            throw new IllegalStateException("region " + regionId + ": a raft write is already in flight");
        }
        RaftLocalState.Builder next = raftState.toBuilder();
        if (restartLog) raftBatch.restart(regionId, truncatedIndex() + 1);
        inFlightEntries = appendEntries(entries, raftBatch, next);
        if (hardState != null) {
            next.setHardState(hardState);
        }
        RaftLocalState state = next.build();
        if (!state.equals(raftState)) {
            raftBatch.state(regionId, state);
        }
        inFlight = state;
        return state;
    }

    /** Answers the entries the batch appends (none at or below the truncated index). */
    private List<Entry> appendEntries(List<Entry> entries, RaftLogBatch raftBatch, RaftLocalState.Builder next) {
        if (entries.isEmpty()) {
            return List.of();
        }
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
                throw new IllegalArgumentException("entries are not contiguous: " + entries.get(i - 1).getIndex()
                        + " is followed by " + entries.get(i).getIndex());
            }
        }
        long first = firstIndex();
        Entry lastEntry = entries.get(entries.size() - 1);
        long last = lastEntry.getIndex();
        if (last < first) {
            return List.of(); // everything is already compacted
        }
        long firstGiven = entries.get(0).getIndex();
        if (firstGiven > lastIndex() + 1) {
            throw new IllegalArgumentException("entries start at " + firstGiven + " but the log ends at " + lastIndex()
                    + ": that would leave a hole");
        }
        List<Entry> toWrite = firstGiven < first ? entries.subList((int) (first - firstGiven), entries.size()) : entries;
        // An append drops whatever lay beyond its last entry: raft's conflicting tail (LogOp.Append).
        raftBatch.append(regionId, toWrite);
        next.setLastIndex(last).setLastTerm(lastEntry.getTerm());
        return toWrite;
    }

    /** The writer persisted the batch prepared with {@code state}: the storage now shows it. */
    public void onRaftWritePersisted(RaftLocalState state) {
        if (inFlight == null || !inFlight.equals(state)) {
            throw new IllegalStateException("region " + regionId + ": no raft write in flight for " + state);
        }
        raftState = state;
        inFlight = null;
        restartLog = false;
        // A write that restarted the log (restartLog) found the cache empty: restartLog is set only at load,
        // and cleared by the first write that persists.
        cache.persisted(inFlightEntries);
        inFlightEntries = List.of();
    }

    /** The prepared write failed: the disk and this view keep the previous state. */
    public void onRaftWriteFailed() {
        inFlight = null;
        inFlightEntries = List.of();
        cache.clear(); // what the disk holds is for the log to say now
    }

    /** Whether a prepared raft write awaits confirmation. */
    public boolean raftWriteInFlight() {
        return inFlight != null;
    }

    /**
     * Removes everything this region owns in the raft log (entries and raft state) and its apply and
     * region states in the kv environment (TinyKV's ClearMeta, when a peer is destroyed). A tombstone region
     * state put after this in the same kv batch survives, since batches apply in order.
     */
    public void clearMeta(RaftLogBatch raftBatch, WriteBatch kvBatch) {
        raftBatch.clear(regionId);
        kvBatch.delete(Db.META, Keys.applyStateKey(regionId));
        kvBatch.delete(Db.META, Keys.regionStateKey(regionId));
    }

    @Override
    public String toString() {
        return "PeerStorage[region " + regionId + ", first " + firstIndex() + ", last " + lastIndex() + ", applied "
                + appliedIndex() + "]";
    }
}
