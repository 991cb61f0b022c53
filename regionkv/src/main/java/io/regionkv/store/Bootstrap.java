package io.regionkv.store;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.Engines;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.proto.RaftServerpb.StoreIdent;

/**
 * Writes that make a store: its identity, and the first region of a new cluster.
 *
 * <p>A region created this way starts its log at index {@value #INIT_INDEX}, term {@value #INIT_TERM}, as in
 * TiKV and TinyKV: a peer created later from a raft message starts empty at 0, so the leader's log starts
 * beyond anything it could hold and it is filled by a snapshot rather than by replaying an empty history.
 */
public final class Bootstrap {
    public static final long INIT_INDEX = 5;
    public static final long INIT_TERM = 5;

    private Bootstrap() {}

    /** Whether the store holds nothing at all in either environment. */
    public static boolean isEmpty(Engines engines) {
        return engines.raftLog().isEmpty() && isEmpty(engines.kv());
    }

    private static boolean isEmpty(Engine engine) {
        try (ReadView view = engine.readView()) {
            for (Db db : Db.values()) {
                if (db.engine() == engine.kind() && !view.scan(db, KeySpan.ALL, 1).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The kv batch that gives an empty store its identity.
     *
     * @throws IllegalStateException if the store holds data already
     */
    public static WriteBatch storeIdent(Engines engines, long clusterId, long storeId) {
        if (clusterId == 0 || storeId == 0) {
            throw new IllegalArgumentException("cluster id and store id must not be 0 (got " + clusterId + ", "
                    + storeId + ")");
        }
        if (!isEmpty(engines)) {
            throw new IllegalStateException("store is not empty: it was bootstrapped already or holds foreign data");
        }
        WriteBatch kv = new WriteBatch();
        Meta.putStoreIdent(kv, StoreIdent.newBuilder().setClusterId(clusterId).setStoreId(storeId).build());
        return kv;
    }

    /**
     * Fills the batches that create {@code region} with its peers: raft state (index and term
     * {@value #INIT_INDEX}) in the raft batch; region state and apply state (applied and truncated at
     * {@value #INIT_INDEX}) in the kv batch. Also used for regions made by a split.
     *
     * <p>Commit the raft batch first. The store discovers its regions through their region states in the kv
     * environment, so a crash between the two commits leaves only an unreferenced raft state, which the
     * retried bootstrap overwrites; the opposite order could leave a known region without its raft state.
     */
    public static void initialRegionState(Region region, RaftLogBatch raftBatch, WriteBatch kvBatch) {
        if (region.getId() == 0 || region.getPeersCount() == 0) {
            throw new IllegalArgumentException("a region needs an id and at least one peer: " + region);
        }
        raftBatch.state(region.getId(), initialRaftState());
        initialKvState(region, kvBatch);
    }

    /** The raft state of a region created by bootstrap or split: log empty, starting after index 5 of term 5. */
    public static RaftLocalState initialRaftState() {
        return RaftLocalState.newBuilder()
                .setHardState(HardState.newBuilder().setTerm(INIT_TERM).setCommit(INIT_INDEX))
                .setLastIndex(INIT_INDEX)
                .setLastTerm(INIT_TERM)
                .build();
    }

    /**
     * The kv half of {@link #initialRegionState}: region state and apply state. A split writes only this
     * half, atomically with the split itself; {@link PeerStorage#load} derives the raft state.
     */
    public static void initialKvState(Region region, WriteBatch kvBatch) {
        if (region.getId() == 0 || region.getPeersCount() == 0) {
            throw new IllegalArgumentException("a region needs an id and at least one peer: " + region);
        }
        Meta.putRegionState(kvBatch, region, PeerState.Normal);
        Meta.putApplyState(kvBatch, region.getId(), RaftApplyState.newBuilder()
                .setAppliedIndex(INIT_INDEX)
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(INIT_INDEX).setTerm(INIT_TERM))
                .build());
    }
}
