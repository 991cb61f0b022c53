package io.regionkv.store;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.StateType;
import java.util.Map;

/**
 * One peer's view of its region, for status output and tests.
 *
 * @param leader the leader this peer knows of, or null
 * @param syncedAppliedIndex how much of the applied index is durable in the kv environment (equal to it
 *     unless {@code kv-sync = deferred}); raft-log GC never compacts above it
 * @param progress by peer id, how far the leader knows each peer's log matches its own (empty unless this
 *     peer leads): a store handing its leaders away picks a caught-up follower from it
 * @param pendingProposals writes this peer holds, not applied yet (at most flow-control's bound)
 * @param pendingReads reads this peer holds, not answered yet (at most flow-control's bound)
 * @param sleep whether it hibernates, or what keeps it awake
 */
public record PeerStatus(long storeId, Region region, Peer self, StateType role, Peer leader, long term,
        long commitIndex, long appliedIndex, long firstIndex, long lastIndex, long syncedAppliedIndex,
        Map<Long, ProgressStatus> progress, int pendingProposals, int pendingReads, SleepState sleep) {
    public PeerStatus {
        progress = Map.copyOf(progress);
    }
}
