package io.regionkv.store;

import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.transport.CommandReply;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of a {@link PeerActor}: one replica of one region. */
public sealed interface PeerCommand {

    /** A raft message from another peer of this region. */
    record RaftMessageIn(RaftMessage message) implements PeerCommand {}

    /** A client command; answered exactly once, at the latest at {@code deadlineNanos}. */
    record RaftCmd(RaftCmdRequest request, ActorRef<CommandReply> replyTo, long deadlineNanos) implements PeerCommand {}

    /**
     * Begin: start the raft clock. {@code campaign} asks for an election at once, for a region whose
     * leader is expected here (a single-voter region, or the half of a split made on the old leader's store).
     */
    record Start(boolean campaign) implements PeerCommand {}

    /**
     * Split this region at {@code splitKey}: the new region {@code newRegionId} takes [splitKey, end) with
     * one new peer id per existing peer, in region peer order. Ids come from the placement driver (or an
     * operator); the split is proposed through raft and answered when applied.
     */
    record SplitRegion(com.google.protobuf.ByteString splitKey, long newRegionId, java.util.List<Long> newPeerIds,
            ActorRef<CommandReply> replyTo) implements PeerCommand {}

    /** The raft clock: from the store's {@link RaftTicker}, while this peer is awake. */
    enum Tick implements PeerCommand { INSTANCE }

    /**
     * The end-of-batch marker: sent to self when the first message makes the peer dirty, so every message
     * already queued is stepped before the one Ready is taken.
     */
    enum HandleReady implements PeerCommand { INSTANCE }

    /**
     * A writer's answer: the raft-log writer persisted the Ready in flight, or the kv writer committed an
     * apply batch (told apart by the request id), or a write failed.
     */
    record WriteDone(WriteResult result) implements PeerCommand {}

    /** The snapshot child built a snapshot ({@code snapshot} null and {@code error} set when it could not). */
    record SnapshotGenerated(io.regionkv.proto.Eraftpb.Snapshot snapshot, String error) implements PeerCommand {}

    /**
     * The snapshot child checked the received file of {@code snapshot}, of region {@code region}; or found it
     * damaged or missing ({@code error} set, {@code region} null).
     */
    record SnapshotChecked(io.regionkv.proto.Eraftpb.Snapshot snapshot, io.regionkv.proto.Metapb.Region region,
            Throwable error) implements PeerCommand {}

    /**
     * The next records of the snapshot being installed ({@code more}: the file goes on), or the failure to
     * read them ({@code batch} null, {@code error} set).
     */
    record SnapshotChunkRead(io.regionkv.engine.WriteBatch batch, boolean more, Throwable error) implements PeerCommand {}

    /** A snapshot stream to peer {@code toPeerId} ended. */
    record SnapshotSent(long toPeerId, boolean ok) implements PeerCommand {}

    /** The log-GC child asks the peer to propose {@code CompactLog} up to {@code compactIndex}. */
    record CompactLogWanted(long compactIndex) implements PeerCommand {}

    /**
     * From the store: a member left or became unreachable, so a sleeping peer wakes and ticks again (its
     * leader may be gone; see {@link Hibernation}).
     */
    enum Wake implements PeerCommand { INSTANCE }

    /** A sleeping leader's slow clock: it still reports its region to the scheduler now and then. */
    enum SleepingHeartbeat implements PeerCommand { INSTANCE }

    /**
     * Time to delete snapshot files this peer no longer needs: from the store's {@link RaftTicker} every
     * {@code RaftTicker.GC_SNAP_INTERVAL}, while this peer is awake (it also cleans up as it falls asleep).
     */
    enum GcSnap implements PeerCommand { INSTANCE }

    /**
     * The split checker measured the region at {@code epoch}: {@code splitKeys} (in order, possibly none)
     * cut it into pieces of about the split size; {@code error} set when the walk failed.
     */
    record SplitCheckDone(io.regionkv.proto.Metapb.RegionEpoch epoch, long size, long keys,
            java.util.List<com.google.protobuf.ByteString> splitKeys, String error) implements PeerCommand {}

    /** The scheduler's answer to an {@code AskSplit} for cutting at {@code splitKey} (or null and {@code error}). */
    record SplitIdsArrived(com.google.protobuf.ByteString splitKey, io.regionkv.proto.Metapb.RegionEpoch epoch,
            io.regionkv.scheduler.SchedulerReply.AskSplitReply reply, Throwable error) implements PeerCommand {}

    /** The scheduler answered a region heartbeat (a stale rejection now; operators later). */
    record HeartbeatAnswer(io.regionkv.scheduler.SchedulerReply.HeartbeatReply reply) implements PeerCommand {}

    /** For tests only (see {@link StoreCommand.InjectPeerFailure}): throw inside the handler. */
    enum InjectFailure implements PeerCommand { INSTANCE }

    /** Asks for this peer's view of itself (tests, the shell's status, region look-ups). */
    record GetStatus(ActorRef<PeerStatus> replyTo) implements PeerCommand {}
}
