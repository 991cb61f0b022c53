package io.regionkv.scheduler;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The protocol of the scheduler (the placement driver): what nodes ask it, and what it tells itself.
 * Requests from other nodes are {@link SchedulerWire}; every request that carries a reply address is
 * answered exactly once, possibly with {@link SchedulerReply.Unavailable}.
 */
public sealed interface SchedulerCommand {

    /** {@code count} (1..) fresh ids for regions and peers, never handed out before. */
    record AllocIds(int count, ActorRef<SchedulerReply.IdsReply> replyTo) implements SchedulerCommand, SchedulerWire {}

    /** {@code count} (1..) timestamps, each strictly greater than any answered before. */
    record GetTimestamp(int count, ActorRef<SchedulerReply.TsoReply> replyTo) implements SchedulerCommand, SchedulerWire {}

    /**
     * A region's leader describing its region. Answered only when the scheduler has something to say
     * (a stale rejection, or an operator step), so that 1,000 idle regions cost
     * one message each per interval, not two.
     */
    record RegionHeartbeat(Region region, Peer leader, long approximateSize, long approximateKeys,
            List<Peer> pendingPeers, List<Peer> downPeers, ActorRef<SchedulerReply.HeartbeatReply> replyTo)
            implements SchedulerCommand, SchedulerWire {
        public RegionHeartbeat {
            pendingPeers = List.copyOf(pendingPeers);
            downPeers = List.copyOf(downPeers);
        }
    }

    /** A store describing itself: disk capacity, what is left, what it uses, how many regions it holds and leads. */
    record StoreHeartbeat(long storeId, long capacity, long available, long used, int regionCount, int leaderCount)
            implements SchedulerCommand, SchedulerWire {}

    /** The region holding {@code key}, as the directory knows it (none when no heartbeat covered it yet). */
    record GetRegion(ByteString key, ActorRef<SchedulerReply.Regions> replyTo) implements SchedulerCommand, SchedulerWire {}

    record GetRegionById(long regionId, ActorRef<SchedulerReply.Regions> replyTo) implements SchedulerCommand, SchedulerWire {}

    /** Up to {@code limit} regions overlapping {@code [start, end)} in key order; an empty end is unbounded. */
    record ScanRegions(ByteString start, ByteString end, int limit, ActorRef<SchedulerReply.Regions> replyTo)
            implements SchedulerCommand, SchedulerWire {}

    /** What every store reported in its last heartbeat. */
    record GetStores(ActorRef<SchedulerReply.Stores> replyTo) implements SchedulerCommand, SchedulerWire {}

    /** Ids for splitting {@code region} in two: a new region id and one new peer id per peer. */
    record AskSplit(Region region, ActorRef<SchedulerReply.AskSplitReply> replyTo) implements SchedulerCommand, SchedulerWire {}

    // ---- what the scheduler tells itself (never on the wire) -----------------------------------------

    /** The persisted high-water marks were read (0 when never written). */
    record MarksLoaded(long idMark, long tsoMark) implements SchedulerCommand {}

    /** Which mark operation failed. */
    enum MarkIo { LOAD, SAVE_ID, SAVE_TSO }

    /** Reading or writing a mark failed; try again after a pause. */
    record MarkIoFailed(MarkIo what, Throwable cause) implements SchedulerCommand {}

    /** The id high-water mark {@code mark} is durable: ids below it may be handed out. */
    record IdMarkSaved(long mark) implements SchedulerCommand {}

    /** The timestamp high-water mark {@code mark} (ms) is durable: physical times below it may be used. */
    record TsoMarkSaved(long mark) implements SchedulerCommand {}

    /** Timer: retry what failed (loading or saving marks). */
    enum Retry implements SchedulerCommand { INSTANCE }

    /** Timer: let the balance schedulers look for a move. */
    enum BalanceTick implements SchedulerCommand { INSTANCE }

    /** Timer: save the timestamp mark ahead of the clock before it is reached. */
    enum TsoTick implements SchedulerCommand { INSTANCE }
}
