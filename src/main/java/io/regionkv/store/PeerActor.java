package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.AdminResponse;
import io.regionkv.proto.RaftCmdpb.CompactLogRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.TransferLeaderResponse;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.raft.Config;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.ReadState;
import io.regionkv.raft.Ready;
import io.regionkv.raft.StateType;
import io.regionkv.transport.CommandReply;
import java.util.List;
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
    private final Proposals proposals = new Proposals();
    private final ProposalBatch writeBatch = new ProposalBatch();
    private final PendingReads reads;
    private final ActorRef<WriteResult> writeResults;
    /** Apply batches handed to the kv writer, by request id; answered in order. */
    private final java.util.Map<Long, ApplyBatch> applying = new java.util.HashMap<>();
    private long nextWriteId = 1;
    /** The raft write in flight (at most one: one Ready at a time), or 0. */
    private long raftWriteId;
    private RaftLocalState raftWriteState;
    private final long requestTimeoutNanos;

    /** Peers learned from messages: an uninitialized peer knows no region members yet but must answer. */
    private final java.util.Map<Long, Peer> peerCache = new java.util.HashMap<>();
    private Ready inFlight;
    /** How many of the in-flight Ready's committed entries {@link #applyDurable} already started applying. */
    private int appliedEarly;
    private boolean readyScheduled;
    private long appliedIndex;
    private long lastLeader;
    private StateType lastRole = StateType.FOLLOWER;
    private int ticksSinceLogGcCheck;
    private boolean destroyed;

    static Behavior<PeerCommand> create(PeerContext ctx, Region region, Peer self) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new PeerActor(context, timers, ctx, region, self)));
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
                .randomSeed(ThreadLocalRandom.current().nextLong())
                .build());
        this.appliedIndex = storage.appliedIndex();
        this.applier = new Applier(region, self.getId(), storage.applyState(), raft::applyConfChange);
        this.reads = new PendingReads(self.getId());
        this.requestTimeoutNanos = s.requestTimeout().toNanos();
        this.writeResults = context.messageAdapter(WriteResult.class, PeerCommand.WriteDone::new);
        timers.startTimerWithFixedDelay(PeerCommand.Tick.INSTANCE, s.raftTick());
        // A region with a single voter elects itself at once instead of waiting for an election timeout.
        if (region.getPeersCount() == 1 && region.getPeers(0).getId() == self.getId()) {
            raft.campaign();
            scheduleReady();
        }
    }

    @Override
    public Receive<PeerCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(PeerCommand.RaftMessageIn.class, this::onRaftMessage)
                .onMessage(PeerCommand.RaftCmd.class, this::onCommand)
                .onMessageEquals(PeerCommand.Tick.INSTANCE, this::onTick)
                .onMessageEquals(PeerCommand.HandleReady.INSTANCE, this::onHandleReady)
                .onMessage(PeerCommand.WriteDone.class, this::onWriteDone)
                .onMessage(PeerCommand.GetStatus.class, this::onGetStatus)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    // ---- inputs -----------------------------------------------------------------------------------------

    private Behavior<PeerCommand> onRaftMessage(PeerCommand.RaftMessageIn in) {
        RaftMessage rm = in.message();
        peerCache.put(rm.getFromPeer().getId(), rm.getFromPeer());
        try {
            raft.step(rm.getMessage());
        } catch (ProposalDroppedException | IllegalArgumentException e) {
            // A forwarded proposal we cannot take, or a message that is not for this node: the sender retries.
            return this;
        }
        scheduleReady();
        return this;
    }

    private Behavior<PeerCommand> onCommand(PeerCommand.RaftCmd cmd) {
        RaftCmdRequest req = cmd.request();
        ByteString uuid = req.getHeader().getUuid();
        Region region = applier.region();
        long deadline = Math.min(cmd.deadlineNanos(), System.nanoTime() + requestTimeoutNanos);
        WriteCommands.Kind kind = WriteCommands.kindOf(req);
        if (kind == WriteCommands.Kind.INVALID) {
            reply(cmd.replyTo(), uuid, RegionErrors.invalid(
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
        for (Request r : req.getRequestsList()) {
            ByteString key = keyOf(r);
            if (key != null && !KeyRanges.inRange(key, region.getStartKey(), region.getEndKey())) {
                reply(cmd.replyTo(), uuid, RegionErrors.keyNotInRegion(key, region));
                return this;
            }
        }
        switch (kind) {
            case READ -> startRead(new PendingReads.Read(req, cmd.replyTo(), deadline));
            case WRITE -> proposeWrite(req, cmd.replyTo(), deadline);
            case ADMIN -> proposeAdmin(req, cmd.replyTo(), deadline);
            default -> throw new IllegalStateException("unreachable");
        }
        scheduleReady();
        return this;
    }

    private static ByteString keyOf(Request r) {
        return switch (r.getCmdType()) {
            case Get -> r.getGet().getKey();
            case Put -> r.getPut().getKey();
            case Delete -> r.getDelete().getKey();
            case Scan -> r.getScan().getStartKey().isEmpty() ? null : r.getScan().getStartKey();
            default -> null;
        };
    }

    private void startRead(PendingReads.Read read) {
        byte[] ctxBytes = reads.add(read);
        if (ctxBytes == null) {
            return; // joined the batch whose ReadIndex request is already in raft
        }
        try {
            raft.readIndex(ctxBytes);
        } catch (ProposalDroppedException e) {
            for (PendingReads.Read r : reads.dropOpenBatch()) {
                reply(r.replyTo(), r.request().getHeader().getUuid(),
                        RegionErrors.notLeader(storage.regionId(), peerById(raft.leader())));
            }
        }
    }

    private void proposeWrite(RaftCmdRequest req, ActorRef<CommandReply> replyTo, long deadline) {
        ByteString uuid = req.getHeader().getUuid();
        try {
            // Input the engine would refuse (InvalidInputException) must never reach the log, where every
            // replica would fail on it.
            ctx.engines().kv().validate(batchOf(req));
        } catch (IllegalArgumentException e) {
            reply(replyTo, uuid, RegionErrors.invalid(e.getMessage()));
            return;
        }
        // Proposed with the rest of this mailbox batch when it ends (onHandleReady).
        writeBatch.add(new ProposalBatch.Pending(req.toByteString(), replyTo, uuid, deadline));
    }

    /**
     * Proposes the writes of the mailbox batch that just ended as one raft message: all of them get log
     * entries (consecutive indexes, one term) or none does.
     */
    private void proposeWriteBatch() {
        if (writeBatch.isEmpty()) return;
        List<ProposalBatch.Pending> writes = writeBatch.drain();
        if (raft.state() != StateType.LEADER) {
            // Leadership went while the batch was collected. A follower would forward the proposal to the
            // leader, where it could still be applied after we answered NotLeader and the client retried:
            // a write applied twice. So refuse before raft sees it.
            failWrites(writes);
            return;
        }
        long first = raft.lastIndex() + 1;
        List<ByteString> data = new java.util.ArrayList<>(writes.size());
        for (ProposalBatch.Pending w : writes) data.add(w.data());
        try {
            raft.propose(data);
        } catch (ProposalDroppedException e) {
            failWrites(writes);
            return;
        }
        if (raft.lastIndex() != first + writes.size() - 1) {
            failWrites(writes);
            return;
        }
        long term = raft.term();
        for (int i = 0; i < writes.size(); i++) {
            ProposalBatch.Pending w = writes.get(i);
            proposals.add(new Proposal(first + i, term, w.replyTo(), w.uuid(), w.deadlineNanos()));
        }
    }

    /** Writes raft did not take: nothing was appended, so NotLeader is the truth and safe to retry. */
    private void failWrites(List<ProposalBatch.Pending> writes) {
        for (ProposalBatch.Pending w : writes) {
            reply(w.replyTo(), w.uuid(), RegionErrors.notLeader(storage.regionId(), peerById(raft.leader())));
        }
    }

    private static WriteBatch batchOf(RaftCmdRequest req) {
        WriteBatch wb = new WriteBatch();
        WriteCommands.addTo(req, wb);
        return wb;
    }

    private void proposeAdmin(RaftCmdRequest req, ActorRef<CommandReply> replyTo, long deadline) {
        ByteString uuid = req.getHeader().getUuid();
        AdminRequest admin = req.getAdminRequest();
        switch (admin.getCmdType()) {
            case TransferLeader -> {
                // Like TiKV: not a log entry; answered at once, the client watches the leader move.
                raft.transferLeader(admin.getTransferLeader().getPeer().getId());
                cmdReply(replyTo, RaftCmdResponse.newBuilder().setHeader(RaftResponseHeader.newBuilder().setUuid(uuid))
                        .setAdminResponse(AdminResponse.newBuilder().setCmdType(AdminCmdType.TransferLeader)
                                .setTransferLeader(TransferLeaderResponse.getDefaultInstance())).build());
            }
            case ChangePeer -> {
                if (req.getHeader().hasRegionEpoch() && req.getHeader().getRegionEpoch().getConfVer()
                        != applier.region().getRegionEpoch().getConfVer()) {
                    reply(replyTo, uuid, RegionErrors.epochNotMatch("membership changed", List.of(applier.region())));
                    return;
                }
                ConfChangeType type = admin.getChangePeer().getChangeType();
                ConfChange cc = ConfChange.newBuilder().setChangeType(type)
                        .setNodeId(admin.getChangePeer().getPeer().getId()).setContext(req.toByteString()).build();
                propose(cc.toByteString(), true, replyTo, uuid, deadline);
            }
            case CompactLog -> propose(req.toByteString(), false, replyTo, uuid, deadline);
            default -> reply(replyTo, uuid, RegionErrors.invalid("admin command " + admin.getCmdType()
                    + " is not supported by this store"));
        }
    }

    private void propose(ByteString data, boolean confChange, ActorRef<CommandReply> replyTo, ByteString uuid,
            long deadline) {
        long expectedIndex = raft.lastIndex() + 1;
        try {
            if (confChange) {
                raft.proposeConfChange(ConfChange.parseFrom(data));
            } else {
                raft.propose(data);
            }
        } catch (ProposalDroppedException e) {
            reply(replyTo, uuid, RegionErrors.notLeader(storage.regionId(), peerById(raft.leader())));
            return;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        if (raft.lastIndex() != expectedIndex) {
            reply(replyTo, uuid, RegionErrors.notLeader(storage.regionId(), peerById(raft.leader())));
            return;
        }
        proposals.add(new Proposal(expectedIndex, raft.term(), replyTo, uuid, deadline));
    }

    private Behavior<PeerCommand> onTick() {
        raft.tick();
        long now = System.nanoTime();
        proposals.expire(now);
        reads.expire(now);
        if (++ticksSinceLogGcCheck >= ctx.settings().logGcTickInterval()) {
            ticksSinceLogGcCheck = 0;
            maybeCompactLog();
        }
        scheduleReady();
        return this;
    }

    /**
     * Raft-log GC (DESIGN.md): the leader proposes {@code CompactLog} once enough applied entries pile up.
     * It never compacts past what every follower already has, because a follower that needs a compacted
     * entry can only be repaired by a snapshot.
     */
    private void maybeCompactLog() {
        if (raft.state() != StateType.LEADER) return;
        long first = storage.firstIndex();
        if (appliedIndex - first + 1 < ctx.settings().logGcCountLimit()) return;
        long compactTo = appliedIndex;
        for (ProgressStatus p : raft.status().progress().values()) {
            compactTo = Math.min(compactTo, p.match());
        }
        if (compactTo < first) return;
        long term = storage.term(compactTo);
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(io.regionkv.proto.RaftCmdpb.RaftRequestHeader.newBuilder().setRegionId(storage.regionId()))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.CompactLog)
                        .setCompactLog(CompactLogRequest.newBuilder().setCompactIndex(compactTo).setCompactTerm(term)))
                .build();
        try {
            raft.propose(req.toByteString());
        } catch (ProposalDroppedException ignored) {
            // not leader any more, or a transfer is running: the next check retries
        }
    }

    // ---- the Ready cycle --------------------------------------------------------------------------------

    private void scheduleReady() {
        if (!readyScheduled && !destroyed) {
            readyScheduled = true;
            getContext().getSelf().tell(PeerCommand.HandleReady.INSTANCE);
        }
    }

    private Behavior<PeerCommand> onHandleReady() {
        readyScheduled = false;
        reads.closeBatch();
        // Into the raft node even while a Ready is in flight: the next Ready carries them.
        proposeWriteBatch();
        // While a Ready is being persisted, what piles up (appends to followers too) waits for the next one:
        // sending the leader's appends at once would let followers fsync in parallel with the leader, but
        // measured, the many small appends it makes cost more CPU than the overlap saves.
        if (inFlight != null || !raft.hasReady()) {
            return this;
        }
        Ready rd = raft.ready();
        inFlight = rd;
        if (rd.softState() != null) {
            onRoleChange(rd.softState().lead(), rd.softState().state());
        }
        send(rd.messages());
        for (ReadState rs : rd.readStates()) {
            reads.onReadState(rs);
        }
        serveReads(); // a read index already applied need not wait for the next apply
        if (rd.snapshot() != null) {
            // Snapshot transfer comes with its own issue; until then the leader never sends one (log GC keeps
            // every entry a follower still needs), so receiving one means a bug elsewhere.
            throw new IllegalStateException("region " + storage.regionId() + ": snapshots are not supported yet");
        }
        applyDurable(rd);
        if (rd.mustPersist()) {
            boolean onlyCommit = onlyCommitIndexChanged(rd);
            WriteBatch wb = new WriteBatch();
            RaftLocalState state = storage.prepareRaftWrite(rd.entries(), rd.hardState(), wb);
            if (wb.isEmpty() || onlyCommit) {
                storage.onRaftWritePersisted(state);
                afterPersisted();
            } else {
                raftWriteId = nextWriteId++;
                raftWriteState = state;
                ctx.raftLogWriter().tell(new WriterCommand.Write(wb, raftWriteId, writeResults));
            }
        } else {
            afterPersisted();
        }
        return this;
    }

    private Behavior<PeerCommand> onWriteDone(PeerCommand.WriteDone done) {
        WriteResult r = done.result();
        if (r instanceof WriteResult.WriteFailed f) {
            // A failed commit means the disk cannot take what raft already promised: stop rather than diverge.
            getContext().getLog().error("region {}: write {} failed; stopping the peer", storage.regionId(),
                    r.requestId(), f.cause());
            throw new IllegalStateException("region " + storage.regionId() + ": write failed", f.cause());
        }
        if (r.requestId() == raftWriteId) {
            raftWriteId = 0;
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
        ApplyBatch batch = applier.apply(entries);
        long id = nextWriteId++;
        applying.put(id, batch);
        ctx.kvWriter().tell(new WriterCommand.Write(batch.kvBatch(), id, writeResults));
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
        if (raft.hasReady()) {
            scheduleReady();
        }
    }

    private Behavior<PeerCommand> onApplied(ApplyBatch batch) {
        long truncatedBefore = storage.truncatedIndex();
        storage.setApplyState(batch.applyState());
        appliedIndex = batch.appliedIndex();
        raft.advanceApply(appliedIndex);
        for (ApplyBatch.Result r : batch.results()) {
            if (r.response() != null) {
                proposals.onApplied(r.index(), r.term(), r.response());
            } else {
                proposals.onApplied(r.index(), r.term(), RaftCmdResponse.getDefaultInstance());
            }
        }
        serveReads();
        if (!applier.region().equals(storage.region())) {
            storage.setRegion(applier.region());
            notifyStore();
        }
        if (batch.logGcEnd() > 0 && batch.logGcEnd() > truncatedBefore + 1) {
            // The log-GC step: entries below the new truncated index go, through the raft-log writer.
            WriteBatch gc = new WriteBatch();
            RaftLogGc.deleteEntries(gc, storage.regionId(), truncatedBefore + 1, batch.logGcEnd());
            ctx.raftLogWriter().tell(new WriterCommand.Write(gc, batch.logGcEnd(), getContext().getSystem().ignoreRef()));
        }
        if (batch.removedSelf()) {
            destroyed = true;
            failWrites(writeBatch.drain());
            proposals.failAll(RegionErrors.regionNotFound(storage.regionId()));
            reads.failAll(RegionErrors.regionNotFound(storage.regionId()));
            ctx.store().tell(new StoreCommand.PeerRemoved(storage.regionId(), self.getId()));
            return Behaviors.stopped();
        }
        scheduleReady();
        return this;
    }

    private void serveReads() {
        for (PendingReads.Read read : reads.servable(appliedIndex)) {
            cmdReply(read.replyTo(), ReadCommands.execute(read.request(), applier.region(), ctx.engines().kv()));
        }
    }

    private Behavior<PeerCommand> onGetStatus(PeerCommand.GetStatus q) {
        q.replyTo().tell(status());
        return this;
    }

    private Behavior<PeerCommand> onStop() {
        // Nothing here can be answered any more; the outcome of proposals in the log is unknown to callers.
        failWrites(writeBatch.drain());
        proposals.failAll(RegionErrors.timeout("peer stopped; outcome unknown"));
        reads.failAll(RegionErrors.notLeader(storage.regionId(), null));
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
    }

    PeerStatus status() {
        return new PeerStatus(ctx.settings().storeId(), applier.region(), self, raft.state(), peerById(raft.leader()),
                raft.term(), raft.status().hardState().getCommit(), appliedIndex, storage.firstIndex(),
                storage.lastIndex());
    }

    private Peer peerById(long id) {
        if (id == 0) return null;
        for (Peer p : applier.region().getPeersList()) {
            if (p.getId() == id) return p;
        }
        return peerCache.get(id);
    }

    private void send(List<Message> messages) {
        if (messages.isEmpty()) return;
        Region region = applier.region();
        for (Message m : MessageCoalescer.coalesce(messages, ctx.settings().maxSizePerMsg())) {
            Peer to = peerById(m.getTo());
            if (to == null) continue; // a peer removed from the region: nothing to address
            ctx.transport().send(RaftMessage.newBuilder()
                    .setRegionId(region.getId())
                    .setFromPeer(self)
                    .setToPeer(to)
                    .setMessage(m)
                    .setRegionEpoch(region.getRegionEpoch())
                    .setStartKey(region.getStartKey())
                    .setEndKey(region.getEndKey())
                    .build());
        }
    }

    private static void reply(ActorRef<CommandReply> to, ByteString uuid, io.regionkv.proto.Errorpb.Error error) {
        to.tell(new CommandReply(RegionErrors.response(uuid, error)));
    }

    private static void cmdReply(ActorRef<CommandReply> to, RaftCmdResponse response) {
        to.tell(new CommandReply(response));
    }
}
