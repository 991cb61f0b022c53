package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.List;
import java.util.Optional;

/** The scheduler's answers. */
public sealed interface SchedulerReply extends SchedulerWire {

    sealed interface IdsReply extends SchedulerReply {}

    sealed interface TsoReply extends SchedulerReply {}

    sealed interface AskSplitReply extends SchedulerReply {}

    /** What a region heartbeat may get back; operators (add/remove peer, transfer leader) join here later. */
    sealed interface HeartbeatReply extends SchedulerReply {}

    /** Ids {@code first .. first + count - 1}. */
    record Ids(long first, int count) implements IdsReply {}

    /**
     * Timestamps {@code (physical, logical - count + 1) .. (physical, logical)}: physical is wall-clock ms,
     * logical counts within it. Compare as {@link #compose}.
     */
    record Timestamp(long physical, long logical, int count) implements TsoReply {
        /** Bits of the composed form that hold the logical part (as in TiKV's PD). */
        public static final int LOGICAL_BITS = 18;

        /** The last timestamp of this answer as one long: physical above, logical below. */
        public long compose() {
            return (physical << LOGICAL_BITS) | logical;
        }
    }

    /** A new region id and one new peer id for each peer of the region to split, in its peer order. */
    record SplitIds(long newRegionId, List<Long> newPeerIds) implements AskSplitReply {
        public SplitIds {
            newPeerIds = List.copyOf(newPeerIds);
        }
    }

    /** The scheduler cannot answer now (its state is not loaded or not yet durable); ask again later. */
    record Unavailable(String reason) implements IdsReply, TsoReply, AskSplitReply {}

    /** The request itself is wrong (a count out of range, a region without peers); asking again will not help. */
    record Refused(String reason) implements IdsReply, TsoReply, AskSplitReply {}

    /** What an operator step asks of a region's leader. */
    enum OperateKind { ADD_LEARNER, REMOVE_PEER, TRANSFER_LEADER }

    /**
     * An operator step for the leader of {@code regionId}: add {@code peer} as a learner (its leader
     * promotes it when caught up), remove {@code peer}, or hand leadership to {@code peer}. The leader
     * proposes it like an admin command; refusals (a change pending) are simply asked again at the next
     * heartbeat.
     */
    record Operate(long regionId, OperateKind kind, Peer peer) implements HeartbeatReply {}

    /** The heartbeat described the region with an epoch older than the directory's; it was ignored. */
    record Stale(long regionId, String reason) implements HeartbeatReply {}

    /** A region as the directory knows it, with its leader when known. */
    record RegionInfo(Region region, Optional<Peer> leader) {}

    /** A store as its last heartbeat described it, and its state judged by that heartbeat's age. */
    record StoreInfo(long storeId, long capacity, long available, long used, int regionCount, int leaderCount,
            StoreState state) {}

    /** Stores in id order (possibly none). */
    record Stores(List<StoreInfo> stores) implements SchedulerReply {
        public Stores {
            stores = List.copyOf(stores);
        }
    }

    /** Regions in key order (possibly none). */
    record Regions(List<RegionInfo> regions) implements SchedulerReply {
        public Regions {
            regions = List.copyOf(regions);
        }
    }
}
