package io.regionkv.store.snapshot;

import io.regionkv.engine.Db;
import io.regionkv.engine.Keys;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.store.Meta;

/**
 * The kv half of a snapshot install, in bounded writes so that the heap it needs does not grow with the
 * region: {@link #begin} (the old data goes, the region turns {@code Applying} and the snapshot is
 * recorded), then the file's records a batch at a time ({@link SnapshotFormat.Reader}), then
 * {@link #finish} (apply state at the snapshot, region {@code Normal}), synced before the raft half.
 *
 * <p>A crash in between leaves the region {@code Applying} with the snapshot recorded: its data is then
 * part old, part new, and must not be served or applied to. The store redoes the install from the same
 * received file before starting the peer ({@link SnapshotResume}); the raft half was never written, and
 * PeerStorage repairs the raft state from the apply state that {@link #finish} leaves.
 */
public final class SnapshotInstall {

    /** Key and value bytes per write of an install: what the heap holds of a region at a time. */
    public static final long BATCH_BYTES = 4L << 20;

    private SnapshotInstall() {}

    public static WriteBatch begin(Snapshot snapshot, Region region) {
        WriteBatch batch = new WriteBatch();
        for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
            batch.deleteRange(cf, region.getStartKey().toByteArray(), region.getEndKey().toByteArray());
        }
        Meta.putRegionState(batch, region, PeerState.Applying);
        batch.put(Db.META, Keys.snapshotApplyingKey(region.getId()), snapshot);
        return batch;
    }

    public static RaftApplyState applyState(Snapshot snapshot) {
        long index = snapshot.getMetadata().getIndex();
        return RaftApplyState.newBuilder().setAppliedIndex(index)
                .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(index).setTerm(snapshot.getMetadata().getTerm()))
                .build();
    }

    public static WriteBatch finish(Snapshot snapshot, Region region) {
        WriteBatch batch = new WriteBatch();
        Meta.putApplyState(batch, region.getId(), applyState(snapshot));
        Meta.putRegionState(batch, region, PeerState.Normal);
        batch.delete(Db.META, Keys.snapshotApplyingKey(region.getId()));
        return batch;
    }
}
