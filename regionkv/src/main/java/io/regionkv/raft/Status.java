package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.HardState;
import java.util.Map;

/**
 * A snapshot of a node's state for monitoring and for the raftstore's decisions (leader transfer
 * targets, log GC). {@code progress} is empty unless the node is the leader.
 */
public record Status(long id, HardState hardState, SoftState softState, long applied, Map<Long, ProgressStatus> progress) {
    public Status {
        progress = Map.copyOf(progress);
    }
}
