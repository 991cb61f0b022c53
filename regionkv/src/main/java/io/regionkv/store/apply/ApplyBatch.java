package io.regionkv.store.apply;

import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import java.util.List;

/**
 * Committed entries turned into one kv write, and what to do once it is durable.
 *
 * @param kvBatch the data writes, region changes and the new apply state, committed atomically
 * @param applyState the apply state the batch leaves on disk
 * @param results one per applied entry, in log order; answered to their proposers after the commit
 * @param logGcEnd when not 0, raft log entries below this index may be deleted after the commit
 * @param removedSelf this peer was removed from its region by one of the entries
 * @param newRegions regions created by splits in this batch, to be started on this store once durable
 */
public record ApplyBatch(WriteBatch kvBatch, RaftApplyState applyState, List<Result> results, long logGcEnd,
        boolean removedSelf, List<io.regionkv.proto.Metapb.Region> newRegions) {

    /** The outcome of one entry; {@code response} is null for entries nobody waits for (leader no-ops). */
    public record Result(long index, long term, RaftCmdResponse response) {}

    public long appliedIndex() {
        return applyState.getAppliedIndex();
    }
}
