package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.raft.Config;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.ReadState;
import io.regionkv.raft.Ready;
import io.regionkv.raft.SnapshotStatus;
import io.regionkv.raft.StateType;
import io.regionkv.store.apply.Applier;
import io.regionkv.store.apply.ApplyBatch;
import io.regionkv.store.apply.CommandKeys;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.store.apply.WriteCommands;
import io.regionkv.store.snapshot.SnapshotFormat;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.transport.SendGate;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.transport.CommandReply;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One replica of one region: a raft node driven by messages, durable through the store's writers.
 *
 * <p>The cycle (DESIGN.md, "Write"): messages and commands are stepped into the raft node as they come;
 * the first one that makes the peer dirty also sends {@link PeerCommand.HandleReady} to self, so the one
 * Ready is taken after everything queued before it. The leader's messages leave at once; entries and hard
 * state go to the raft-log writer (grouped with every other peer's into one fsync); when persisted, the
 * messages that had to wait leave, committed entries go to the kv writer as one apply batch, and the
 * Ready is advanced. Proposals are answered when their entry is applied. Reads go through ReadIndex.
 *
 * <p>Never blocks: the only I/O on this thread is LMDB read transactions, which do not wait for writers.
 */
final class PeerActor extends AbstractBehavior<PeerCommand> {

    private final PeerContext ctx;
    private final PeerStorage storage;
    private final RawNode raft;
    private final Peer self;
    private final Applier applier;
    private final PeerProposals proposals;
    private final PeerReads reads;
    private final PeerAdmission admission;
    /** ServerIsBusy answers of the current mailbox batch, sent at its end (onHandleReady). */
    private final ReplyBatch refusals;
    private final PeerSnapshots snapshots;
    private final PeerPlacement placement;
    private final Hibernation hibernation;
    /** The log-GC child: decides compaction on the GC tick and deletes what an applied CompactLog truncated. */
    private final ActorRef<LogGc.Command> logGc;
    /** Whether kv commits reach the disk only at the kv writer's syncs ({@code KvSync.DEFERRED}). */
    private final boolean kvSyncDeferred;
    /**
     * The highest applied index durable in the kv environment (see {@code KvSync}): raft-log GC stays at or
     * below it. The engine syncs at open, so all that is applied at start is durable.
     */
    private long syncedAppliedIndex;
    private int ticksSinceLogGc;
    /** Ticks since the last look for unneeded snapshot files (counted in ticks: no timer of its own). */
    private final ActorRef<WriteResult> writeResults;
    /** Apply batches handed to the kv writer, by request id; answered in order. */
    private final Map<Long, ApplyBatch> applying = new HashMap<>();
    private long nextWriteId = 1;
    /** The raft write in flight (at most one: one Ready at a time), or 0. */
    private long raftWriteId;
    private RaftLocalState raftWriteState;
    private final long requestTimeoutNanos;
    /** A MsgSnapshot that arrived while a Ready was in flight, stepped once it is done. */
    private RaftMessage deferredSnapshot;
    /**
     * A received MsgSnapshot whose file the snapshot child is checking before raft sees the message: a
     * damaged file is then simply dropped, with nothing in raft to undo.
     */
    private RaftMessage snapshotBuilding;
    /** A snapshot whose file checked out, waiting for the Ready that carries it. */
    private PeerCommand.SnapshotChecked snapshotPrepared;
    /** The prepared snapshot was stepped: the next Ready carries it, or raft refused it. */
    private boolean snapshotPreparedStepped;

    /** Peers learned from messages: an uninitialized peer knows no region members yet but must answer. */
    private final Map<Long, Peer> peerCache = new HashMap<>();
    private Ready inFlight;
    /** How many of the in-flight Ready's committed entries {@link #applyDurable} already started applying. */
    private int appliedEarly;
    private boolean readyScheduled;
    /** Held from a raft-log answer that scheduled a Ready until that Ready ran (see {@link #onWriteDone}). */
    private SendGate.Round readyRound;
    private long appliedIndex;
    private long lastLeader;
    private StateType lastRole = StateType.FOLLOWER;
    private boolean destroyed;

    static Behavior<PeerCommand> create(PeerContext ctx, Region region, Peer self) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new PeerActor(context, timers, ctx, region, self)));
    }

    /** Seeds raft's election jitter; 0 means a fresh random seed per incarnation. */
    static final String RANDOM_SEED_SETTING = "regionkv.raft.random-seed";

    /**
     * The seed of a peer's raft randomness: fresh when {@code configured} is 0, else derived from it, the
     * peer id and the applied index it starts from, so that a test replaying a printed seed also replays
     * the peers' election timeouts (and a restarted peer does not repeat its previous incarnation's).
     */
    static long raftSeed(long configured, long peerId, long appliedIndex) {
        if (configured == 0) return ThreadLocalRandom.current().nextLong();
        return configured * 0x9E3779B97F4A7C15L + peerId * 0xBF58476D1CE4E5B9L + appliedIndex;
    }

    private PeerActor(ActorContext<PeerCommand> context, TimerScheduler<PeerCommand> timers, PeerContext ctx,
            Region region, Peer self) {
        super(context);
        this.ctx = ctx;
        this.self = self;
        this.storage = PeerStorage.load(ctx.engines(), region);
        StoreSettings s = ctx.settings();
        this.raft = new RawNode(Config.builder()
                .id(self.getId())
                .storage(storage)
                .applied(storage.appliedIndex())
                .electionTick(s.electionTicks())
                .heartbeatTick(s.heartbeatTicks())
                .maxSizePerMsg(s.maxSizePerMsg())
                .maxInflightMsgs(s.maxInflightMsgs())
                .preVote(s.preVote())
                .checkQuorum(s.checkQuorum())
                .lazyCommitBroadcast(s.lazyCommitBroadcast())
                .randomSeed(raftSeed(context.getSystem().settings().config().getLong(RANDOM_SEED_SETTING),
                        self.getId(), storage.appliedIndex()))
                .build());
        raft.fenceVotesBelow(storage.voteFence().getIndex(), storage.voteFence().getTerm()); // see TornKvRecovery
        this.appliedIndex = storage.appliedIndex();
        this.applier = new Applier(region, self.getId(), storage.applyState(), raft::applyConfChange);
        this.proposals = new PeerProposals(raft, ctx.engines().kv(), this::notLeader, ctx.metrics(), ctx.replies(),
                ctx.flowControl().holdWritesUntilCommit());
        this.reads = new PeerReads(self.getId(), raft, ctx.engines().kv(), this::notLeader, ctx.replies());
        this.refusals = new ReplyBatch(ctx.replies());
        this.admission = new PeerAdmission(ctx.flowControl(), region.getId());
        this.kvSyncDeferred = ctx.engines().kv().syncDeferred();
        this.syncedAppliedIndex = appliedIndex;
        this.logGc = context.spawn(LogGc.create(context.getSelf(), ctx, region.getId(), syncedAppliedIndex), "log-gc");
        this.requestTimeoutNanos = s.requestTimeout().toNanos();
        this.writeResults = context.messageAdapter(WriteResult.class, PeerCommand.WriteDone::new);
        this.timers = timers;
        this.snapshots = new PeerSnapshots(context, ctx, storage, region.getId(), () -> nextWriteId++, writeResults);
        this.placement = new PeerPlacement(context, ctx, self);
        this.hibernation = new Hibernation(context.getSystem().settings().config(), s.electionTicks(), timers,
                ctx.ticker(), context.getSelf());
    }


    private final TimerScheduler<PeerCommand> timers;

    @Override
    public Receive<PeerCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(PeerCommand.Start.class, this::onStart)
                .onMessage(PeerCommand.SplitRegion.class, this::onSplitRegion)
                .onMessage(PeerCommand.RaftMessageIn.class, this::onRaftMessage)
                .onMessage(PeerCommand.RaftCmd.class, this::onCommand)
                .onMessageEquals(PeerCommand.Tick.INSTANCE, this::onTick)
                .onMessageEquals(PeerCommand.GcSnap.INSTANCE, this::onGcSnap)
                .onMessageEquals(PeerCommand.HandleReady.INSTANCE, this::onHandleReady)
                .onMessage(PeerCommand.WriteDone.class, this::onWriteDone)
                .onMessage(PeerCommand.GetStatus.class, this::onGetStatus)
                .onMessageEquals(PeerCommand.InjectFailure.INSTANCE, () -> {
                    throw new IllegalStateException("region " + storage.regionId() + ": injected failure (test hook)");
                })
                .onMessage(PeerCommand.SnapshotGenerated.class, this::onSnapshotGenerated)
                .onMessage(PeerCommand.SnapshotChecked.class, this::onSnapshotChecked)
                .onMessage(PeerCommand.SnapshotChunkRead.class, this::onSnapshotChunkRead)
                .onMessage(PeerCommand.SnapshotSent.class, this::onSnapshotSent)
                .onMessage(PeerCommand.CompactLogWanted.class, this::onCompactLogWanted)
                .onMessage(PeerCommand.SplitCheckDone.class, this::onSplitCheckDone)
                .onMessage(PeerCommand.SplitIdsArrived.class, this::onSplitIdsArrived)
                .onMessage(PeerCommand.HeartbeatAnswer.class, this::onHeartbeatAnswer)
                .onMessageEquals(PeerCommand.Wake.INSTANCE, () -> {
                    hibernation.wake(raft);
                    return this;
                })
                .onMessageEquals(PeerCommand.SleepingHeartbeat.INSTANCE, () -> {
                    if (hibernation.asleep() && raft.state() == StateType.LEADER) {
                        placement.heartbeatWhileAsleep(applier.region());
                    }
                    return this;
                })
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    // ---- inputs -----------------------------------------------------------------------------------------

    private Behavior<PeerCommand> onStart(PeerCommand.Start start) {
        hibernation.start();
        Region region = applier.region();
        boolean soleVoter = region.getPeersCount() == 1 && region.getPeers(0).getId() == self.getId();
        // A sole voter, or the new half of a split made on the leader's store, need not wait for an
        // election timeout (the other peers of a split-born region start at the same log position).
        if (soleVoter || start.campaign()) {
            raft.campaign();
            scheduleReady();
        }
        return this;
    }

    private Behavior<PeerCommand> onSplitRegion(PeerCommand.SplitRegion split) {
        Region region = applier.region();
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(io.regionkv.proto.RaftCmdpb.RaftRequestHeader.newBuilder().setRegionId(region.getId())
                        .setRegionEpoch(region.getRegionEpoch()))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.Split)
                        .setSplit(io.regionkv.proto.RaftCmdpb.SplitRequest.newBuilder().setSplitKey(split.splitKey())
                                .setNewRegionId(split.newRegionId()).addAllNewPeerIds(split.newPeerIds())))
                .build();
        return onCommand(new PeerCommand.RaftCmd(req, split.replyTo(), System.nanoTime() + requestTimeoutNanos));
    }

    private Behavior<PeerCommand> onRaftMessage(PeerCommand.RaftMessageIn in) {
        RaftMessage rm = in.message();
        Region current = applier.region();
        if (rm.getIsTombstone()) {
            return PeerMembership.isOwnTombstone(rm, current, self) ? destroyStale(rm) : this;
        }
        if (rm.getHibernate()) {
            hibernation.onHibernateRequest(rm, quiet(), raft);
            if (hibernation.asleep()) snapshots.gc(appliedIndex); // no GcSnap comes while it sleeps
            return this;
        }
        boolean slept = hibernation.asleep();
        if (Hibernation.wakes(rm.getMessage())) hibernation.wake(raft);
        if (rm.getToPeer().getId() != self.getId()) {
            // For another peer of this region on this store: a newer membership re-added this store with a
            // new peer (ids are never reused), so this one was removed and must make way for it.
            return rm.getRegionEpoch().getConfVer() > current.getRegionEpoch().getConfVer() ? destroyStale(rm) : this;
        }
        RaftMessage tombstone = PeerMembership.tombstoneFor(rm, current, self);
        if (tombstone != null) {
            // A removed peer that missed its removal: tell it, and keep its campaign out of our raft node.
            ctx.transport().send(tombstone);
            return this;
        }
        peerCache.put(rm.getFromPeer().getId(), rm.getFromPeer());
        // A MsgSnapshot reaches a peer only after its file arrived whole and checked (the store routes it
        // from SnapshotReceived and drops bare ones). The file may still have been damaged since, so the
        // file is read and checked before raft sees the message.
        if (rm.getMessage().getMsgType() == io.regionkv.proto.Eraftpb.MessageType.MsgSnapshot) {
            var md = rm.getMessage().getSnapshot().getMetadata();
            // One raft refuses anyway (not beyond the commit index) needs no batch: it is stepped at once.
            boolean stale = md.getIndex() <= raft.status().hardState().getCommit();
            if (!stale && !isPrepared(md)) {
                if (snapshotBuilding == null) {
                    snapshotBuilding = rm;
                    snapshots.check(rm.getMessage().getSnapshot());
                }
                // else one is being built already: if it is not this one, the leader sends this again
                return this;
            }
            if (inFlight != null) {
                // Only between Readies: the committed entries of the Ready in flight are applied (conf
                // changes through applyConfChange) when it is persisted, and raft must not have replaced its
                // membership with the snapshot's before that. Stepped right after the Ready is done.
                deferredSnapshot = rm;
                return this;
            }
        } else if ((snapshotBuilding != null || deferredSnapshot != null)
                && rm.getMessage().getMsgType() == io.regionkv.proto.Eraftpb.MessageType.MsgAppend) {
            // The leader heard the transfer succeed and probes just past the snapshot; raft here has not seen
            // the snapshot yet (its file is being checked, or it waits for the Ready in flight), so it would
            // reject, and the leader, its log compacted below, would stream the whole snapshot again (seen
            // with a 500 MB region). Dropped, the probe is simply resent (raft tolerates lost messages) and
            // answered once the snapshot is stepped.
            return this;
        }
        try {
            raft.step(rm.getMessage());
        } catch (ProposalDroppedException | IllegalArgumentException e) {
            // A forwarded proposal we cannot take, or a message that is not for this node: the sender retries.
            return this;
        }
        if (snapshotPrepared != null && rm.getMessage().getMsgType() == io.regionkv.proto.Eraftpb.MessageType.MsgSnapshot
                && isPrepared(rm.getMessage().getSnapshot().getMetadata())) {
            snapshotPreparedStepped = true;
        }
        if (slept && hibernation.asleep() && Hibernation.wakesAfterStep(raft)) hibernation.wake(raft);
        scheduleReady();
        return this;
    }

    private boolean isPrepared(io.regionkv.proto.Eraftpb.SnapshotMetadata md) {
        if (snapshotPrepared == null) return false;
        var prepared = snapshotPrepared.snapshot().getMetadata();
        return prepared.getIndex() == md.getIndex() && prepared.getTerm() == md.getTerm();
    }

    private Behavior<PeerCommand> onCommand(PeerCommand.RaftCmd cmd) {
        hibernation.wake(raft);
        hibernation.onActivity();
        RaftCmdRequest req = cmd.request();
        ByteString uuid = req.getHeader().getUuid();
        Region region = applier.region();
        long deadline = Math.min(cmd.deadlineNanos(), System.nanoTime() + requestTimeoutNanos);
        WriteCommands.Kind kind = WriteCommands.kindOf(req);
        if (kind == WriteCommands.Kind.INVALID) {
            reply(cmd.replyTo(), uuid, RegionErrors.invalid(Errorpb.Invalid.Reason.MALFORMED_COMMAND,
                    "a command holds either reads (Get, Scan, Snap) or writes (Put, Delete) or one admin request"));
            return this;
        }
        if (raft.state() != StateType.LEADER) {
            reply(cmd.replyTo(), uuid, RegionErrors.notLeader(region.getId(), peerById(raft.leader())));
            return this;
        }
        if (req.getHeader().hasRegionEpoch() && kind != WriteCommands.Kind.ADMIN
                && req.getHeader().getRegionEpoch().getVersion() != region.getRegionEpoch().getVersion()) {
            reply(cmd.replyTo(), uuid, RegionErrors.epochNotMatch("request epoch "
                    + req.getHeader().getRegionEpoch().getVersion() + " but region " + region.getId() + " is at "
                    + region.getRegionEpoch().getVersion(), List.of(region)));
            return this;
        }
        ByteString outside = CommandKeys.keyOutside(req, region);
        if (outside != null) {
            reply(cmd.replyTo(), uuid, RegionErrors.keyNotInRegion(outside, region));
            return this;
        }
        Errorpb.Error busy = admission.admit(kind, System.nanoTime(), deadline, proposals.pending(), reads.pending());
        if (busy != null) {
            // Folded with the other refusals of this mailbox batch into one reply per client: a flood is
            // refused thousands at a time, and one remote message per refusal overflowed Artery's outbound
            // queue, which drops what does not fit; a dropped refusal left its client waiting out its deadline.
            refusals.add(cmd.replyTo(), RegionErrors.response(uuid, busy));
            if (destroyed) refusals.send();
            else scheduleReady();
            return this;
        }
        switch (kind) {
            case READ -> reads.start(new PendingReads.Read(req, cmd.replyTo(), deadline));
            case WRITE -> {
                placement.onWrite(req.getSerializedSize());
                proposals.proposeWrite(req, cmd.replyTo(), deadline);
            }
            case ADMIN -> proposals.proposeAdmin(req, region, cmd.replyTo(), deadline);
            default -> throw new IllegalStateException("unreachable");
        }
        scheduleReady();
        return this;
    }

    private Behavior<PeerCommand> onGcSnap() {
        snapshots.gc(appliedIndex);
        return this;
    }

    private Behavior<PeerCommand> onTick() {
        // Judged before this tick's heartbeats are made: the last ones went out with the previous Ready.
        List<RaftMessage> hibernate = hibernation.onLeaderTick(quiet() && !placement.checkDue(), raft, appliedIndex, applier.region(), self);
        if (!hibernate.isEmpty() || hibernation.asleep()) {
            for (RaftMessage m : hibernate) ctx.transport().send(m);
            // Asleep, it gets no GcSnap from the store's clock: leave no snapshot file behind for the nap.
            if (hibernation.asleep()) snapshots.gc(appliedIndex);
            return this;
        }
        raft.tick();
        long now = System.nanoTime();
        proposals.expire(now);
        reads.expire(now);
        admission.observe(now, proposals.pending(), reads.pending());
        placement.onTick(raft.state() == StateType.LEADER, applier.region(), raft, storage.truncatedIndex());
        maybePromoteLearner(now);
        if (++ticksSinceLogGc >= ctx.settings().logGcTickInterval()) {
            ticksSinceLogGc = 0;
            checkLogGc();
        }
        scheduleReady();
        return this;
    }

    /** Nothing of this peer's own is pending: no command, read, write, apply or snapshot (see Hibernation). */
    private boolean quiet() {
        return proposals.pending() == 0 && reads.pending() == 0 && inFlight == null && raftWriteId == 0
                && applying.isEmpty() && snapshotBuilding == null && snapshotPrepared == null
                && deferredSnapshot == null && snapshots.idle() && !destroyed && !readyScheduled;
    }

    /** The GC tick: only the leader compacts; the child decides from these indexes. */
    private void checkLogGc() {
        if (raft.state() != StateType.LEADER) return;
        long minMatch = appliedIndex;
        for (var e : raft.status().progress().entrySet()) {
            if (e.getKey() == self.getId() || e.getValue().recentActive()) {
                minMatch = Math.min(minMatch, e.getValue().match());
            }
        }
        logGc.tell(new LogGc.Check(appliedIndex, syncedAppliedIndex, storage.firstIndex(), minMatch));
    }

    /** The log-GC child asks for a CompactLog up to {@code compactIndex}; only the peer proposes. */
    private Behavior<PeerCommand> onCompactLogWanted(PeerCommand.CompactLogWanted w) {
        long index = w.compactIndex();
        // Checked again here: the child decided on indexes that may have moved since (or a snapshot came).
        // Not against the synced applied index: the entries leave the disk only once the truncation is
        // synced (LogGc), and compaction alone moves nothing a crash could need.
        if (raft.state() != StateType.LEADER || index <= storage.truncatedIndex() || index > appliedIndex) {
            return this;
        }
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(io.regionkv.proto.RaftCmdpb.RaftRequestHeader.newBuilder().setRegionId(storage.regionId()))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.CompactLog)
                        .setCompactLog(io.regionkv.proto.RaftCmdpb.CompactLogRequest.newBuilder()
                                .setCompactIndex(index).setCompactTerm(storage.term(index))))
                .build();
        try {
            raft.propose(req.toByteString());
        } catch (ProposalDroppedException ignored) {
            // not leader any more, or a transfer is running: the next GC tick retries
            return this;
        }
        scheduleReady();
        return this;
    }

    /**
     * The second step of adding a replica: a learner that has caught up becomes a voter. Done by whichever
     * peer leads, from the region as applied, so it survives leader changes and needs no bookkeeping; the
     * pending-change check keeps it from being proposed twice.
     */
    private void maybePromoteLearner(long now) {
        Region region = applier.region();
        if (raft.state() != StateType.LEADER || !PeerMembership.hasLearner(region) || raft.hasPendingConfChange()) {
            return;
        }
        Peer learner = ConfChangeCheck.learnerToPromote(region, raft.status().progress(), raft.lastIndex(),
                ctx.placement().learnerCatchUpLag());
        if (learner == null) return;
        getContext().getLog().info("region {}: promoting learner {} on store {}", region.getId(), learner.getId(),
                learner.getStoreId());
        onCommand(new PeerCommand.RaftCmd(PeerMembership.adminCommand(region, PeerMembership.changePeer(
                io.regionkv.proto.Eraftpb.ConfChangeType.AddNode, learner)), getContext().getSystem().ignoreRef(),
                now + requestTimeoutNanos));
    }

    /**
     * Told by a member of a newer membership that this peer was removed (or replaced by a newer peer on
     * this store): destroy it like an applied removal, writing the tombstone ourselves. The tombstone keeps
     * this peer's own conf_ver: the store then refuses only messages as old as this peer's membership, and
     * still creates the replacement from messages of the newer one. Not while writes of this peer are in flight (their answers
     * would find no actor, and a snapshot install could land after the wipe); the peer keeps campaigning
     * and is told again.
     */
    private Behavior<PeerCommand> destroyStale(RaftMessage tombstone) {
        if (inFlight != null || raftWriteId != 0 || !applying.isEmpty() || destroyed) return this;
        Region region = applier.region();
        Region removed = region;
        getContext().getLog().info("region {}: peer {} was removed (told by peer {}); destroying it",
                region.getId(), self.getId(), tombstone.getFromPeer().getId());
        destroyed = true;
        proposals.failAll(RegionErrors.timeout("peer removed from region " + storage.regionId() + "; outcome unknown"));
        reads.failAll(RegionErrors.regionNotFound(storage.regionId()));
        WriteBatch state = new WriteBatch();
        Meta.putRegionState(state, removed, io.regionkv.proto.RaftServerpb.PeerState.Tombstone);
        ctx.kvWriter().tell(new WriterCommand.Write(state, nextWriteId++, getContext().getSystem().ignoreRef()));
        wipe();
        ctx.store().tell(new StoreCommand.PeerRemoved(removed, self.getId()));
        return Behaviors.stopped();
    }

    // ---- the Ready cycle --------------------------------------------------------------------------------

    private void scheduleReady() {
        if (!readyScheduled && !destroyed) {
            readyScheduled = true;
            getContext().getSelf().tell(PeerCommand.HandleReady.INSTANCE);
        }
    }

    private Behavior<PeerCommand> onHandleReady() {
        try {
            return handleReady();
        } finally {
            leaveReadyRound();
        }
    }

    private Behavior<PeerCommand> handleReady() {
        readyScheduled = false;
        refusals.send();
        reads.closeBatch();
        // Into the raft node even while a Ready is in flight: the next Ready carries them.
        proposals.proposeWriteBatch();
        // While a Ready is being persisted, what piles up (appends to followers too) waits for the next one:
        // sending the leader's appends at once would let followers fsync in parallel with the leader, but
        // measured, the many small appends it makes cost more CPU than the overlap saves.
        if (inFlight != null || !raft.hasReady()) {
            return this;
        }
        if (applying.size() >= ctx.flowControl().maxAppliesInFlightPerPeer()) {
            return this; // the kv writer is behind: the next apply answer schedules the Ready again
        }
        Ready rd = raft.ready();
        inFlight = rd;
        if (rd.snapshot() == null && snapshotPreparedStepped) {
            // Raft refused the prepared snapshot (it moved on meanwhile): its batch is not needed.
            snapshotPrepared = null;
            snapshotPreparedStepped = false;
        }
        if (rd.softState() != null) {
            onRoleChange(rd.softState().lead(), rd.softState().state());
        }
        send(rd.messages());
        for (ReadState rs : rd.readStates()) {
            reads.onReadState(rs);
        }
        reads.serve(appliedIndex, applier.region()); // a read index already applied need not wait for the next apply
        if (rd.snapshot() != null) {
            // Install: the kv half (its file checked before raft saw the snapshot) commits first, in bounded
            // batches, then the raft half (see PeerStorage.prepareSnapshotWrite for why that order). Raft hands out only a
            // snapshot it was stepped with, and only prepared ones (or ones it refuses) are stepped.
            if (!isPrepared(rd.snapshot().getMetadata())) {
                throw new IllegalStateException("region " + storage.regionId() + ": raft took snapshot "
                        + rd.snapshot().getMetadata().getIndex() + " that was never checked");
            }
            snapshots.startInstall(rd.snapshot(), snapshotPrepared.region());
            snapshotPrepared = null;
            snapshotPreparedStepped = false;
            return this;
        }
        applyDurable(rd);
        if (rd.mustPersist()) {
            boolean onlyCommit = onlyCommitIndexChanged(rd);
            RaftLogBatch wb = new RaftLogBatch();
            RaftLocalState state = storage.prepareRaftWrite(rd.entries(), rd.hardState(), wb);
            if (wb.isEmpty() || onlyCommit) {
                storage.onRaftWritePersisted(state);
                afterPersisted();
            } else {
                raftWriteId = nextWriteId++;
                raftWriteState = state;
                ctx.metrics().raftLogWrite(rd.entries().size());
                ctx.raftLogWriter().tell(WriterCommand.Write.ready(wb, raftWriteId, writeResults));
            }
        } else {
            afterPersisted();
        }
        return this;
    }

    /**
     * A raft-log answer comes with a round of the store's send gate ({@link SendGate}): the peer leaves it
     * once it has sent what the answer makes it send, and a leader also holds a round of its own until the
     * Ready the answer scheduled has run (its appends). So the messages of every peer answered by one group
     * commit leave the store together. A kv answer to an apply batch comes with a round of the store's reply
     * outbox, which the peer leaves once it has answered the proposals the batch applied.
     */
    private Behavior<PeerCommand> onWriteDone(PeerCommand.WriteDone done) {
        SendGate.Round round = done.result() instanceof WriteResult.Written w ? w.sendRound() : SendGate.Round.NONE;
        boolean raftLogAnswer = done.result().requestId() == raftWriteId;
        try {
            return actOnWrite(done);
        } finally {
            if (round != SendGate.Round.NONE) {
                // Only a leader's next Ready sends at once (its appends); a follower's sends nothing before its
                // write, so holding the store's sends for it would only delay the responses leaders wait for.
                if (raftLogAnswer && readyScheduled && readyRound == null && raft.state() == StateType.LEADER) {
                    readyRound = ctx.transport().gate().open(1);
                }
                round.leave();
            }
        }
    }

    private void leaveReadyRound() {
        if (readyRound != null) {
            readyRound.leave();
            readyRound = null;
        }
    }

    private Behavior<PeerCommand> actOnWrite(PeerCommand.WriteDone done) {
        WriteResult r = done.result();
        if (r instanceof WriteResult.Synced synced) {
            if (synced.appliedIndex() > syncedAppliedIndex) {
                syncedAppliedIndex = synced.appliedIndex();
                logGc.tell(new LogGc.Synced(syncedAppliedIndex));
            }
            return this;
        }
        if (r instanceof WriteResult.WriteFailed f) {
            // A failed commit means this incarnation's memory is ahead of its disk: going on would diverge.
            // Stop; the store restarts the peer from what is durable (the writer fences this incarnation's
            // later writes, so nothing after the failure commits either).
            getContext().getLog().error("region {}: write {} failed; stopping the peer to restart it from disk",
                    storage.regionId(), r.requestId(), f.cause());
            return Behaviors.stopped();
        }
        PeerSnapshots.KvWritten install = snapshots.onKvWritten(r.requestId());
        if (install == PeerSnapshots.KvWritten.IN_PROGRESS) {
            return this;
        }
        if (install == PeerSnapshots.KvWritten.KV_HALF_DONE) {
            // The install's kv half is durable, so its raft half may follow (PeerStorage.prepareSnapshotWrite).
            RaftLogBatch wb = new RaftLogBatch();
            Ready rd = inFlight;
            raftWriteState = storage.prepareSnapshotWrite(rd.snapshot(), rd.entries(), rd.hardState(), wb);
            raftWriteId = nextWriteId++;
            snapshots.raftHalfStarted();
            ctx.raftLogWriter().tell(WriterCommand.Write.ready(wb, raftWriteId, writeResults));
            return this;
        }
        if (r.requestId() == raftWriteId) {
            raftWriteId = 0;
            PeerSnapshots.Installed installed = snapshots.raftHalfPersisted();
            if (installed != null) {
                storage.onSnapshotPersisted(raftWriteState, installed.applyState(), installed.region());
                applier.reset(installed.region(), installed.applyState());
                appliedIndex = installed.applyState().getAppliedIndex();
                proposals.onSnapshotInstalled(appliedIndex);
                // The kv half was synced before the raft half was written (PeerSnapshots.maybeFinish).
                syncedAppliedIndex = Math.max(syncedAppliedIndex, appliedIndex);
                raftWriteState = null;
                notifyStore();
                afterPersisted();
                raft.advanceApply(appliedIndex);
                return this;
            }
            storage.onRaftWritePersisted(raftWriteState);
            raftWriteState = null;
            afterPersisted();
            return this;
        }
        ApplyBatch batch = applying.remove(r.requestId());
        if (batch == null) {
            throw new IllegalStateException("region " + storage.regionId() + ": unexpected write answer " + r);
        }
        return onApplied(batch);
    }

    /**
     * Whether the only thing {@code rd} would persist is a higher commit index. Like etcd ({@code MustSync}),
     * such a Ready is not written at all: raft never needs its commit index back from disk (a restarted
     * peer learns it from the leader, and PeerStorage raises it to the applied index on load), so the
     * fsync would only delay the next Ready. The new index is kept in memory and goes to disk with the
     * next write that must happen anyway (entries, term or vote).
     */
    private boolean onlyCommitIndexChanged(Ready rd) {
        if (!rd.entries().isEmpty() || rd.snapshot() != null || rd.hardState() == null) return false;
        var persisted = storage.raftState().getHardState();
        return rd.hardState().getTerm() == persisted.getTerm() && rd.hardState().getVote() == persisted.getVote();
    }

    /**
     * Starts applying the committed entries of {@code rd} that are already on this store's disk, without
     * waiting for the Ready's own write: that write often holds nothing but the new commit index, and
     * waiting for its fsync would add one to every write's latency. Entries from this Ready's own
     * appends (and any it overwrites) wait for {@link #afterPersisted}: an apply must never get ahead of
     * the local log, or a crash could leave applied data without the entries that produced it. A crash
     * after this apply but before the commit index is persisted is repaired on load (PeerStorage moves
     * commit up to applied).
     */
    private void applyDurable(Ready rd) {
        List<Entry> committed = rd.committedEntries();
        long durable = storage.lastIndex();
        if (!rd.entries().isEmpty()) durable = Math.min(durable, rd.entries().get(0).getIndex() - 1);
        if (rd.snapshot() != null) durable = 0;
        int n = 0;
        while (n < committed.size() && committed.get(n).getIndex() <= durable) n++;
        if (n > 0) apply(committed.subList(0, n));
        appliedEarly = n;
    }

    private void apply(List<Entry> entries) {
        ctx.metrics().applyBatch(entries.size());
        ApplyBatch batch = applier.apply(entries);
        long id = nextWriteId++;
        applying.put(id, batch);
        // A leader whose proposals wait answers clients on this write's answer: the answer then carries a
        // party of the kv writer's reply round, so the store's replies of that commit leave together.
        ctx.kvWriter().tell(new WriterCommand.Write(batch.kvBatch(), id, writeResults, batch.appliedIndex(), false,
                System.nanoTime(), proposals.awaitApply()));
    }

    private void afterPersisted() {
        Ready rd = inFlight;
        send(rd.persistedMessages());
        List<Entry> committed = rd.committedEntries();
        if (committed.size() > appliedEarly) {
            apply(committed.subList(appliedEarly, committed.size()));
        }
        appliedEarly = 0;
        raft.advance(rd);
        inFlight = null;
        if (deferredSnapshot != null) {
            RaftMessage snapshot = deferredSnapshot;
            deferredSnapshot = null;
            onRaftMessage(new PeerCommand.RaftMessageIn(snapshot));
        }
        if (raft.hasReady()) {
            scheduleReady();
        }
    }

    private Behavior<PeerCommand> onApplied(ApplyBatch batch) {
        long truncatedBefore = storage.truncatedIndex();
        storage.setApplyState(batch.applyState());
        appliedIndex = batch.appliedIndex();
        if (!kvSyncDeferred) syncedAppliedIndex = appliedIndex;
        raft.advanceApply(appliedIndex);
        proposals.onApplied(batch);
        if (!applier.region().equals(storage.region())) {
            storage.setRegion(applier.region());
            notifyStore();
        }
        for (Region born : batch.newRegions()) {
            ctx.store().tell(new StoreCommand.RegionSplit(applier.region(), born, raft.state() == StateType.LEADER));
        }
        reads.serve(appliedIndex, applier.region());
        if (batch.logGcEnd() > 0 && batch.logGcEnd() > truncatedBefore + 1) {
            // The log-GC step: the child deletes the entries below the new truncated index once this batch,
            // which records the truncation, is synced.
            logGc.tell(new LogGc.Truncated(batch.logGcEnd(), appliedIndex, syncedAppliedIndex));
        }
        if (batch.removedSelf()) {
            destroyed = true;
            // Proposals may still be committed by the remaining peers: their outcome is unknown here.
            proposals.failAll(RegionErrors.timeout("peer removed from region " + storage.regionId() + "; outcome unknown"));
            reads.failAll(RegionErrors.regionNotFound(storage.regionId()));
            wipe();
            ctx.store().tell(new StoreCommand.PeerRemoved(applier.region(), self.getId()));
            return Behaviors.stopped();
        }
        scheduleReady();
        return this;
    }

    /**
     * This peer was removed from its region: its tombstone region state is durable already (written with
     * the change), so delete its log, raft state, apply state and data. A crash before these writes only
     * leaves garbage behind a tombstone, which nothing reads.
     */
    private void wipe() {
        long regionId = storage.regionId();
        Region region = applier.region();
        RaftLogBatch raftBatch = new RaftLogBatch().clear(regionId);
        WriteBatch kvBatch = new WriteBatch();
        for (io.regionkv.engine.Db cf : SnapshotFormat.COLUMN_FAMILIES) {
            kvBatch.deleteRange(cf, region.getStartKey().toByteArray(), region.getEndKey().toByteArray());
        }
        kvBatch.delete(io.regionkv.engine.Db.META, io.regionkv.engine.Keys.applyStateKey(regionId));
        ActorRef<WriteResult> ignore = getContext().getSystem().ignoreRef();
        ctx.raftLogWriter().tell(new WriterCommand.Write(raftBatch, nextWriteId++, ignore));
        ctx.kvWriter().tell(new WriterCommand.Write(kvBatch, nextWriteId++, ignore));
        snapshots.gcAll();
    }

    /** The snapshot child checked the file of a received snapshot, or found it damaged. */
    private Behavior<PeerCommand> onSnapshotChecked(PeerCommand.SnapshotChecked built) {
        RaftMessage rm = snapshotBuilding;
        snapshotBuilding = null;
        if (rm == null || destroyed) return this;
        if (built.error() != null) {
            // Raft never saw it, so dropping it is all it takes: the leader heard the transfer succeed, finds
            // this peer still behind its compacted log, and sends a snapshot again (the child deleted the file).
            getContext().getLog().warn("region {}: dropping received snapshot {}: {}; the leader sends it again",
                    storage.regionId(), rm.getMessage().getSnapshot().getMetadata().getIndex(), built.error().toString());
            return this;
        }
        snapshotPrepared = built;
        snapshotPreparedStepped = false;
        return onRaftMessage(new PeerCommand.RaftMessageIn(rm));
    }

    private Behavior<PeerCommand> onSnapshotChunkRead(PeerCommand.SnapshotChunkRead read) {
        snapshots.onChunkRead(read);
        return this;
    }

    private Behavior<PeerCommand> onSnapshotGenerated(PeerCommand.SnapshotGenerated g) {
        snapshots.onGenerated(g);
        return this;
    }

    private Behavior<PeerCommand> onSnapshotSent(PeerCommand.SnapshotSent sent) {
        snapshots.onSent(sent.toPeerId());
        raft.reportSnapshot(sent.toPeerId(), sent.ok() ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
        scheduleReady();
        return this;
    }

    private Behavior<PeerCommand> onSplitCheckDone(PeerCommand.SplitCheckDone done) {
        placement.onCheckDone(done, raft.state() == StateType.LEADER, applier.region());
        return this;
    }

    private Behavior<PeerCommand> onSplitIdsArrived(PeerCommand.SplitIdsArrived a) {
        placement.onSplitIds(a, raft.state() == StateType.LEADER, applier.region());
        return this;
    }

    /**
     * The scheduler's answer to a region heartbeat: a stale rejection (this leader's view is older; its
     * next heartbeat after catching up corrects it) or an operator step, carried out like an admin
     * command sent to this leader. Its outcome is not reported back: the scheduler sees it, or not, in
     * the next heartbeats and asks again, so a refusal (a change pending) costs one interval.
     */
    private Behavior<PeerCommand> onHeartbeatAnswer(PeerCommand.HeartbeatAnswer a) {
        Region region = applier.region();
        if (!(a.reply() instanceof io.regionkv.scheduler.SchedulerReply.Operate op) || op.regionId() != region.getId()
                || raft.state() != StateType.LEADER) {
            getContext().getLog().debug("region {}: scheduler answered {}", storage.regionId(), a.reply());
            return this;
        }
        AdminRequest admin = switch (op.kind()) {
            case ADD_LEARNER -> PeerMembership.changePeer(io.regionkv.proto.Eraftpb.ConfChangeType.AddLearnerNode, op.peer());
            case REMOVE_PEER -> PeerMembership.changePeer(io.regionkv.proto.Eraftpb.ConfChangeType.RemoveNode, op.peer());
            case TRANSFER_LEADER -> PeerMembership.transferLeader(op.peer());
        };
        getContext().getLog().info("region {}: operator {} {} on store {}", region.getId(), op.kind(),
                op.peer().getId(), op.peer().getStoreId());
        return onCommand(new PeerCommand.RaftCmd(PeerMembership.adminCommand(region, admin),
                getContext().getSystem().ignoreRef(), System.nanoTime() + requestTimeoutNanos));
    }

    private Behavior<PeerCommand> onGetStatus(PeerCommand.GetStatus q) {
        q.replyTo().tell(status());
        return this;
    }

    private Behavior<PeerCommand> onStop() {
        // Nothing here can be answered any more; the outcome of proposals in the log is unknown to callers.
        proposals.failAll(RegionErrors.timeout("peer stopped; outcome unknown"));
        reads.failAll(RegionErrors.notLeader(storage.regionId(), null));
        refusals.send(); // refused, so nothing happened: still worth telling
        leaveReadyRound(); // its Ready will not run: the store's sends must not wait for it
        return this;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private void onRoleChange(long leader, StateType role) {
        if (lastRole == StateType.LEADER && role != StateType.LEADER) {
            reads.failAwaitingIndex(RegionErrors.notLeader(storage.regionId(), peerById(leader)));
        }
        boolean changed = leader != lastLeader;
        lastLeader = leader;
        lastRole = role;
        if (changed) notifyStore();
    }

    private void notifyStore() {
        ctx.store().tell(new StoreCommand.PeerStateChanged(storage.regionId(), applier.region(), peerById(lastLeader)));
        placement.onLeaderOrRegionChanged(lastRole == StateType.LEADER, applier.region(), raft, storage.truncatedIndex());
    }

    PeerStatus status() {
        io.regionkv.raft.Status rs = raft.status();
        return new PeerStatus(ctx.settings().storeId(), applier.region(), self, raft.state(), peerById(raft.leader()),
                raft.term(), rs.hardState().getCommit(), appliedIndex, storage.firstIndex(),
                storage.lastIndex(), syncedAppliedIndex, rs.progress(), proposals.pending(), reads.pending(),
                hibernation.state(quiet(), placement.checkDue(), raft, appliedIndex, applier.region(), self));
    }

    private Peer peerById(long id) {
        if (id == 0) return null;
        for (Peer p : applier.region().getPeersList()) {
            if (p.getId() == id) return p;
        }
        return peerCache.get(id);
    }

    /** NotLeader naming the leader as this peer knows it, so that the client retries there. */
    private Errorpb.Error notLeader() {
        return RegionErrors.notLeader(storage.regionId(), peerById(raft.leader()));
    }

    private void send(List<Message> messages) {
        if (messages.isEmpty()) return;
        Region region = applier.region();
        for (Message m : MessageCoalescer.coalesce(messages, ctx.settings().maxSizePerMsg())) {
            Peer to = peerById(m.getTo());
            if (to == null) continue; // a peer removed from the region: nothing to address
            RaftMessage rm = RaftMessage.newBuilder()
                    .setRegionId(region.getId())
                    .setFromPeer(self)
                    .setToPeer(to)
                    .setMessage(m)
                    .setRegionEpoch(region.getRegionEpoch())
                    .setStartKey(region.getStartKey())
                    .setEndKey(region.getEndKey())
                    .build();
            if (m.getMsgType() == io.regionkv.proto.Eraftpb.MessageType.MsgSnapshot) {
                snapshots.send(rm); // streamed in chunks with its file, never as one message
            } else {
                ctx.transport().send(rm);
            }
        }
    }

    private static void reply(ActorRef<CommandReply> to, ByteString uuid, Errorpb.Error error) {
        to.tell(CommandReply.of(RegionErrors.response(uuid, error)));
    }
}
