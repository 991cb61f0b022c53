package io.regionkv.store;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.transport.StoreWire;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of a {@link StoreActor}: one per node, the router in front of its peers. */
public sealed interface StoreCommand {

    /** Something from the network (or a local client) for this store. */
    record Inbound(StoreWire wire) implements StoreCommand {}

    /** A peer's region or known leader changed; kept for region look-ups. {@code leader} may be null. */
    record PeerStateChanged(long regionId, Region region, Peer leader) implements StoreCommand {}

    /**
     * A split was applied by this store's peer of {@code left}: start this store's peer of {@code right}.
     * {@code wasLeader}: the splitting peer led the old region, so the new peer here campaigns at once.
     */
    record RegionSplit(Region left, Region right, boolean wasLeader) implements StoreCommand {}

    /** A snapshot stream arrived whole and checked; {@code message} is its raft {@code MsgSnapshot}. */
    record SnapshotReceived(io.regionkv.proto.RaftServerpb.RaftMessage message) implements StoreCommand {}

    /** A snapshot receiver stopped (done or broken). */
    record SnapshotStreamEnded(String key) implements StoreCommand {}

    /**
     * The install of a snapshot into {@code region} that a crash interrupted was redone ({@code error} null:
     * start its peer) or cannot be ({@code error} says why: the region stays out of service).
     */
    record SnapshotResumed(Region region, String error) implements StoreCommand {}

    /** A peer was removed from its region and stopped. */
    record PeerRemoved(Region region, long peerId) implements StoreCommand {}

    /** Timer: send the store heartbeat to the scheduler. */
    enum HeartbeatTick implements StoreCommand { INSTANCE }

    /** The disk figures of a store heartbeat, measured off the store's thread. */
    record DiskMeasured(DiskFigures figures) implements StoreCommand {}

    /** A cluster event; {@code gone}: a member became unreachable or is leaving, so sleeping peers wake. */
    record MemberMaybeGone(boolean gone) implements StoreCommand {}

    /** A peer this store started has stopped: removed, or failed (then it is restarted). */
    record PeerTerminated(long regionId, ActorRef<PeerCommand> peer) implements StoreCommand {}

    /** The restart backoff of a failed peer is over: settle the writers, then start it from disk. */
    record RestartPeer(long regionId, long token) implements StoreCommand {}

    /** A writer passed the barrier of a restart (see {@link WriterCommand.Barrier}). */
    record WriterSettled(long token) implements StoreCommand {}

    /**
     * For tests only (nothing from the wire can produce it): make this store's peer of {@code regionId}
     * throw inside its message handler, as a bug would.
     */
    record InjectPeerFailure(long regionId) implements StoreCommand {}

    /** For tests only: pass {@code failure} to this store's kv writer ({@code kv}) or raft-log writer. */
    record InjectWriteFailure(boolean kv, WriterCommand.InjectFailure failure) implements StoreCommand {}

    /**
     * Shutdown: from now on answer every client command with NotLeader (naming the leader this store knows
     * of), so clients go to the other replicas while this node's raft peers keep replicating until the
     * system stops. Sent once this store's leaders were handed away; raft traffic is not affected.
     */
    enum StopTakingCommands implements StoreCommand { INSTANCE }

    /** Asks every peer of this store for its status. */
    record GetStatus(ActorRef<List<PeerStatus>> replyTo) implements StoreCommand {}
}
