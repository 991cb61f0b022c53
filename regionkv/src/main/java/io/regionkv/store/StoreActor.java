package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.store.snapshot.SnapshotReceiver;
import io.regionkv.store.snapshot.SnapshotResume;
import io.regionkv.store.writer.StorageGuard;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.RaftBatch;
import io.regionkv.transport.RaftEnvelope;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.ReplyOutbox;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import io.regionkv.transport.SnapshotChunkAck;
import io.regionkv.transport.SnapshotChunkEnvelope;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.proto.RaftServerpb.SnapshotChunk;
import io.regionkv.scheduler.SchedulerCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One per node: owns the peers of this store, routes what arrives for a region to its peer, creates a
 * peer when a raft message arrives for a region this store should join, and answers region look-ups.
 *
 * <p>Its inbox (a message adapter registered with the Receptionist under the store id) is what other
 * nodes send raft messages, commands and look-ups to.
 *
 * <p><b>Supervision.</b> The store watches every peer it starts. A peer that stops other than by its removal
 * (an exception in a handler, a failed write) is down: its region's commands get RegionNotFound, raft
 * messages for it are dropped, and look-ups do not name it. After a backoff that grows with consecutive
 * failures, a barrier goes through both writers, so that every write the dead incarnation queued is
 * committed or failed, and only then is the peer started again from its durable state; otherwise the new
 * incarnation could load an applied index that a queued write is about to move.
 */
public final class StoreActor extends AbstractBehavior<StoreCommand> {

    private record RegionView(Region region, Peer leader) {}

    private final StoreSettings settings;
    private final PeerContext peerContext;
    private final ActorRef<SchedulerCommand> scheduler;
    /** Checks every client command before it is routed: bad input never reaches a peer. */
    private final CommandValidator validator;
    /** Refuses writes up front when the store runs short of room (StorageFull). */
    private final StorageGuard storageGuard;
    private final Map<Long, ActorRef<PeerCommand>> peers = new HashMap<>();
    private final Map<Long, RegionView> regions = new HashMap<>();
    /** Regions this store's peer was removed from, with the conf version of that removal. */
    private final Map<Long, Long> tombstones = new HashMap<>();
    /** Vote requests of split-born regions whose split is not applied here yet (see its javadoc). */
    private final EarlySplitVotes earlySplitVotes = new EarlySplitVotes();
    /**
     * Restarts are logged through a logger of its own: the actor's context logger takes the name of the
     * supervisor strategy after a child fails, and that name is filtered out below WARN.
     */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreActor.class);
    private final SupervisionSettings supervision;
    /** Regions whose peer failed and waits for its restart, by region id. */
    private final Map<Long, Down> down = new HashMap<>();
    /** When each region's current peer was started and how many restarts in a row it has had. */
    private final Map<Long, Lives> lives = new HashMap<>();
    private final ActorRef<WriterCommand.BarrierPassed> writerSettled;
    private long nextRestartToken = 1;
    /** Set in shutdown, once the leaders moved away (see {@link StoreCommand.StopTakingCommands}). */
    private boolean stoppedTakingCommands;

    /** A failed peer's restart: {@code token} names its barrier, {@code writersLeft} still to pass it. */
    private record Down(long token, int writersLeft) {}

    private record Lives(long startedNanos, int restartsInARow) {}

    /** Open snapshot streams by "region_term_index". */
    private final Map<String, ActorRef<SnapshotReceiver.Command>> receivers = new HashMap<>();

    /**
     * @param scheduler the scheduler singleton's proxy: region and store heartbeats and split ids
     * @param placement heartbeat intervals and split thresholds
     * @param metrics what the store and its peers count for operators
     * @param replies the outbox the peers' answers to clients leave by; the kv writer gates it
     */
    public static Behavior<StoreCommand> create(StoreSettings settings, Engines engines,
            ActorRef<WriterCommand> raftLogWriter, ActorRef<WriterCommand> kvWriter, RaftTransport transport,
            ActorRef<SchedulerCommand> scheduler, PlacementSettings placement, StoreMetrics metrics,
            ReplyOutbox replies) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(StoreCommand.HeartbeatTick.INSTANCE, placement.storeHeartbeatInterval());
            return new StoreActor(ctx, settings, engines, raftLogWriter, kvWriter, transport, scheduler, placement,
                    metrics, replies);
        }));
    }

    private StoreActor(ActorContext<StoreCommand> ctx, StoreSettings settings, Engines engines,
            ActorRef<WriterCommand> raftLogWriter, ActorRef<WriterCommand> kvWriter, RaftTransport transport,
            ActorRef<SchedulerCommand> scheduler, PlacementSettings placement, StoreMetrics metrics,
            ReplyOutbox replies) {
        super(ctx);
        this.settings = settings;
        this.scheduler = scheduler;
        this.validator = new CommandValidator(settings.storeId(), settings.engine().maxValueSize());
        this.supervision = SupervisionSettings.fromConfig(ctx.getSystem().settings().config());
        this.storageGuard = new StorageGuard(settings.storeId(), engines,
                ctx.getSystem().settings().config().getBytes("regionkv.engine.storage-full-reserve"));
        this.writerSettled = ctx.messageAdapter(WriterCommand.BarrierPassed.class,
                p -> new StoreCommand.WriterSettled(p.token()));
        this.peerContext = new PeerContext(settings,
                FlowControlSettings.fromConfig(ctx.getSystem().settings().config()), engines, raftLogWriter,
                kvWriter, transport, ctx.getSelf(), scheduler, placement, metrics,
                ctx.spawn(RaftTicker.create(settings.raftTick(), metrics), "raft-ticker"), replies);
        List<RegionLocalState> states;
        try (ReadView view = engines.kv().readView()) {
            states = Meta.regionLocalStates(view);
        }
        for (RegionLocalState state : states) {
            if (state.getState() == PeerState.Tombstone) {
                tombstones.put(state.getRegion().getId(), state.getRegion().getRegionEpoch().getConfVer());
            }
            if (state.getState() == PeerState.Normal) {
                Peer self = selfPeer(state.getRegion());
                if (self != null) startPeer(state.getRegion(), self, false);
            }
            if (state.getState() == PeerState.Applying) {
                // A snapshot install was cut short: the peer starts once it is redone (SnapshotResume). The
                // range is taken meanwhile, so no message creates an empty peer over it.
                regions.put(state.getRegion().getId(), new RegionView(state.getRegion(), null));
                ctx.spawnAnonymous(SnapshotResume.create(engines, settings.dataDir(), state.getRegion(), kvWriter,
                        raftLogWriter, ctx.getSelf()), IoDispatcher.SNAPSHOT);
            }
        }
        MemberWatch.subscribe(ctx);
        ActorRef<StoreWire> inbox = ctx.messageAdapter(StoreWire.class, StoreCommand.Inbound::new);
        StoreDirectory.get(ctx.getSystem()).register(settings.storeId(), inbox);
    }

    @Override
    public Receive<StoreCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(StoreCommand.Inbound.class, this::onInbound)
                .onMessage(StoreCommand.PeerStateChanged.class, this::onPeerStateChanged)
                .onMessage(StoreCommand.RegionSplit.class, this::onRegionSplit)
                .onMessage(StoreCommand.SnapshotReceived.class, this::onSnapshotReceived)
                .onMessage(StoreCommand.SnapshotStreamEnded.class, this::onSnapshotStreamEnded)
                .onMessage(StoreCommand.PeerRemoved.class, this::onPeerRemoved)
                .onMessage(StoreCommand.SnapshotResumed.class, this::onSnapshotResumed)
                .onMessage(StoreCommand.GetStatus.class, this::onGetStatus)
                .onMessageEquals(StoreCommand.StopTakingCommands.INSTANCE, this::onStopTakingCommands)
                .onMessageEquals(StoreCommand.HeartbeatTick.INSTANCE, this::onHeartbeatTick)
                .onMessage(StoreCommand.DiskMeasured.class, this::onDiskMeasured)
                .onMessage(StoreCommand.PeerTerminated.class, this::onPeerTerminated)
                .onMessage(StoreCommand.MemberMaybeGone.class, g -> {
                    // Hibernated followers cannot see their leader's node die: wake all, they re-elect if need be.
                    if (g.gone()) peers.values().forEach(p -> p.tell(PeerCommand.Wake.INSTANCE));
                    return this;
                })
                .onMessage(StoreCommand.RestartPeer.class, this::onRestartPeer)
                .onMessage(StoreCommand.WriterSettled.class, this::onWriterSettled)
                .onMessage(StoreCommand.InjectPeerFailure.class, this::onInjectPeerFailure)
                .onMessage(StoreCommand.InjectWriteFailure.class, this::onInjectWriteFailure)
                .build();
    }

    private void onInboundRaft(RaftMessage m) {
        if (m.getMessage().getMsgType() == MessageType.MsgSnapshot) {
            return; // snapshots travel only as checked streams (SnapshotReceived), never bare
        }
        onRaftMessage(m);
    }

    private Behavior<StoreCommand> onInbound(StoreCommand.Inbound in) {
        StoreWire w = in.wire();
        if (w instanceof RaftEnvelope r) {
            onInboundRaft(r.message());
        } else if (w instanceof RaftBatch b) {
            for (RaftMessage m : b.messages()) onInboundRaft(m);
        } else if (w instanceof CommandEnvelope c) {
            for (RaftCmdRequest req : c.requests()) {
                onCommand(req, c.replyTo());
            }
        } else if (w instanceof RegionLookup l) {
            onLookup(l);
        } else if (w instanceof SnapshotChunkEnvelope c) {
            onSnapshotChunk(c);
        }
        return this;
    }

    /**
     * Snapshot streams: the first chunk (which carries the raft message) is checked like an incoming
     * snapshot would be, then opens a receiver; later chunks go to the receiver of their stream.
     */
    private void onSnapshotChunk(SnapshotChunkEnvelope env) {
        SnapshotChunk chunk = env.chunk();
        String key = chunk.getRegionId() + "_" + chunk.getSnapshotTerm() + "_" + chunk.getSnapshotIndex();
        ActorRef<SnapshotReceiver.Command> receiver = receivers.get(key);
        if (chunk.getSeq() == 0) {
            String problem = snapshotProblem(chunk);
            if (problem != null) {
                env.ackTo().tell(new SnapshotChunkAck(chunk.getRegionId(), chunk.getSnapshotIndex(), 0, false, problem));
                return;
            }
            if (receiver != null) {
                getContext().stop(receiver); // the sender restarted the stream
            }
            receiver = getContext().spawnAnonymous(SnapshotReceiver.create(settings.dataDir(), chunk.getMessage(),
                    getContext().getSelf(), Duration.ofSeconds(30), peerContext.metrics()), IoDispatcher.SNAPSHOT);
            getContext().watchWith(receiver, new StoreCommand.SnapshotStreamEnded(key));
            receivers.put(key, receiver);
        } else if (receiver == null) {
            env.ackTo().tell(new SnapshotChunkAck(chunk.getRegionId(), chunk.getSnapshotIndex(), chunk.getSeq(), false,
                    "no snapshot stream open for region " + chunk.getRegionId()));
            return;
        }
        receiver.tell(new SnapshotReceiver.Chunk(env));
    }

    /** Why this store cannot take a snapshot, or null: wrong store, or a range another local region holds. */
    private String snapshotProblem(SnapshotChunk chunk) {
        if (!chunk.hasMessage()) return "the first chunk carries no raft message";
        RaftMessage m = chunk.getMessage();
        if (m.getToPeer().getStoreId() != settings.storeId()) return "snapshot for store " + m.getToPeer().getStoreId();
        Region region;
        try {
            region = RaftSnapshotData.parseFrom(m.getMessage().getSnapshot().getData()).getRegion();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return "malformed snapshot data";
        }
        for (RegionView v : regions.values()) {
            Region r = v.region();
            if (r.getId() != region.getId() && overlaps(r, region.getStartKey(), region.getEndKey())) {
                return "snapshot range overlaps region " + r.getId() + " on store " + settings.storeId();
            }
        }
        return null;
    }

    private static boolean overlaps(Region r, com.google.protobuf.ByteString start, com.google.protobuf.ByteString end) {
        return KeyRanges.overlaps(r.getStartKey(), r.getEndKey(), start, end);
    }

    private Behavior<StoreCommand> onSnapshotReceived(StoreCommand.SnapshotReceived r) {
        onRaftMessage(r.message());
        return this;
    }

    private Behavior<StoreCommand> onSnapshotResumed(StoreCommand.SnapshotResumed r) {
        Region region = r.region();
        if (r.error() != null) {
            // Its data is part old, part new: serving it or applying to it would be wrong. The range stays
            // taken (in regions, no peer) until an operator removes this replica.
            getContext().getLog().error("region {}: cannot finish the snapshot install a crash interrupted ({}); "
                    + "the region stays out of service on store {}", region.getId(), r.error(), settings.storeId());
            return this;
        }
        Peer self = selfPeer(region);
        if (self != null && !peers.containsKey(region.getId())) startPeer(region, self, false);
        return this;
    }

    private Behavior<StoreCommand> onSnapshotStreamEnded(StoreCommand.SnapshotStreamEnded e) {
        receivers.remove(e.key());
        return this;
    }

    private void onRaftMessage(RaftMessage m) {
        if (m.getToPeer().getStoreId() != settings.storeId()) {
            return; // misrouted: not for this store
        }
        if (down.containsKey(m.getRegionId())) {
            return; // its peer restarts from disk; raft resends what it needs
        }
        ActorRef<PeerCommand> peer = peers.get(m.getRegionId());
        if (peer == null) {
            peer = maybeCreatePeer(m);
            if (peer == null) return;
        }
        peer.tell(new PeerCommand.RaftMessageIn(m));
    }

    private void onCommand(RaftCmdRequest req, ActorRef<CommandReply> replyTo) {
        Errorpb.Error refused = validator.check(req);
        if (refused == null) refused = storageGuard.check(req);
        if (refused != null) {
            replyTo.tell(CommandReply.of(RegionErrors.response(req.getHeader().getUuid(), refused)));
            return;
        }
        long regionId = req.getHeader().getRegionId();
        if (stoppedTakingCommands) {
            RegionView v = regions.get(regionId);
            Peer leader = v == null || v.leader() == null || v.leader().getStoreId() == settings.storeId()
                    ? null : v.leader();
            replyTo.tell(CommandReply.of(RegionErrors.response(req.getHeader().getUuid(),
                    RegionErrors.notLeader(regionId, leader))));
            return;
        }
        ActorRef<PeerCommand> peer = peers.get(regionId);
        if (peer == null) {
            replyTo.tell(CommandReply.of(RegionErrors.response(req.getHeader().getUuid(),
                    RegionErrors.regionNotFound(regionId))));
            return;
        }
        peer.tell(new PeerCommand.RaftCmd(req, replyTo, System.nanoTime() + settings.requestTimeout().toNanos()));
    }

    private void onLookup(RegionLookup l) {
        for (RegionView v : regions.values()) {
            Region r = v.region();
            if (down.containsKey(r.getId())) continue; // not served until its peer is back
            if (KeyRanges.inRange(l.key(), r.getStartKey(), r.getEndKey())) {
                l.replyTo().tell(new RegionLookupReply(settings.storeId(), Optional.of(r), Optional.ofNullable(v.leader())));
                return;
            }
        }
        l.replyTo().tell(new RegionLookupReply(settings.storeId(), Optional.empty(), Optional.empty()));
    }

    /**
     * A message for a region this store holds no peer of. Like TiKV, only a message that can start a peer
     * (a vote request, a heartbeat, an append or a snapshot from the region's leader) creates one, empty,
     * to be filled by the leader; and never over a range another local region already covers.
     */
    private ActorRef<PeerCommand> maybeCreatePeer(RaftMessage m) {
        MessageType t = m.getMessage().getMsgType();
        boolean initial = t == MessageType.MsgRequestVote || t == MessageType.MsgRequestPreVote
                || t == MessageType.MsgHeartbeat || t == MessageType.MsgAppend || t == MessageType.MsgSnapshot;
        if (!initial || m.getIsTombstone() || m.getHibernate()) return null;
        Long removedAt = tombstones.get(m.getRegionId());
        if (removedAt != null && m.getRegionEpoch().getConfVer() <= removedAt) {
            return null; // a stale member still talking to the peer it removed; re-adding bumps conf_ver
        }
        for (RegionView v : regions.values()) {
            if (overlaps(v.region(), m.getStartKey(), m.getEndKey())) {
                earlySplitVotes.holdIfEarly(m, v.region()); // handed to the peer the split starts here
                return null;
            }
        }
        // A split applied here writes the new region's state with it, and its peer tells this store the
        // shrunk range (PeerStateChanged) before the split itself (RegionSplit): a message of the new
        // region's leader arriving between the two finds no overlap. Started empty, the peer would apply
        // the region's later splits against a region without peers, refuse them, and the store would
        // never get peers for the regions split off it (seen with 1,000 regions: a store short of
        // hundreds of peers, their leaders awake forever). So a state on disk wins.
        RegionLocalState onDisk;
        try (ReadView view = peerContext.engines().kv().readView()) {
            onDisk = Meta.regionLocalState(view, m.getRegionId());
        }
        if (onDisk != null && onDisk.getState() == PeerState.Normal) {
            Peer self = selfPeer(onDisk.getRegion());
            return self != null && self.getId() == m.getToPeer().getId() ? startPeer(onDisk.getRegion(), self, false) : null;
        }
        // No peers yet: an empty conf state keeps the new peer from campaigning on its own.
        Region region = Region.newBuilder().setId(m.getRegionId()).setStartKey(m.getStartKey())
                .setEndKey(m.getEndKey()).setRegionEpoch(m.getRegionEpoch()).build();
        return startPeer(region, m.getToPeer(), false);
    }

    private ActorRef<PeerCommand> startPeer(Region region, Peer self, boolean campaign) {
        ActorRef<PeerCommand> ref = getContext().spawn(PeerActor.create(peerContext, region, self),
                "peer-" + region.getId() + "-" + self.getId());
        peers.put(region.getId(), ref);
        regions.put(region.getId(), new RegionView(region, null));
        getContext().watchWith(ref, new StoreCommand.PeerTerminated(region.getId(), ref));
        Lives before = lives.get(region.getId());
        lives.put(region.getId(), new Lives(System.nanoTime(), before == null ? 0 : before.restartsInARow()));
        ref.tell(new PeerCommand.Start(campaign));
        earlySplitVotes.take(region.getId(), self.getId())
                .ifPresent(vote -> ref.tell(new PeerCommand.RaftMessageIn(vote)));
        return ref;
    }

    private Behavior<StoreCommand> onRegionSplit(StoreCommand.RegionSplit s) {
        RegionView left = regions.get(s.left().getId());
        if (left != null) regions.put(s.left().getId(), new RegionView(s.left(), left.leader()));
        Peer self = selfPeer(s.right());
        if (self != null && !peers.containsKey(s.right().getId()) && !down.containsKey(s.right().getId())) {
            startPeer(s.right(), self, s.wasLeader());
        }
        return this;
    }

    private Peer selfPeer(Region region) {
        for (Peer p : region.getPeersList()) {
            if (p.getStoreId() == settings.storeId()) return p;
        }
        return null;
    }

    private Behavior<StoreCommand> onPeerStateChanged(StoreCommand.PeerStateChanged c) {
        if (peers.containsKey(c.regionId())) {
            regions.put(c.regionId(), new RegionView(c.region(), c.leader()));
        }
        return this;
    }

    private Behavior<StoreCommand> onPeerRemoved(StoreCommand.PeerRemoved r) {
        long regionId = r.region().getId();
        peers.remove(regionId);
        regions.remove(regionId);
        lives.remove(regionId);
        down.remove(regionId); // its Terminated may have overtaken this message: no restart
        tombstones.put(regionId, r.region().getRegionEpoch().getConfVer());
        return this;
    }

    /**
     * The store heartbeat, step one: the disk figures are measured on the io dispatcher (stat calls) and
     * come back as {@link StoreCommand.DiskMeasured}; the counts are taken when they are back.
     */
    private Behavior<StoreCommand> onHeartbeatTick() {
        java.nio.file.Path dataDir = settings.dataDir();
        getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(() -> DiskFigures.measure(dataDir),
                        getContext().getSystem().dispatchers().lookup(IoDispatcher.SELECTOR)),
                (figures, failure) -> new StoreCommand.DiskMeasured(
                        figures != null ? figures : new DiskFigures(0, 0, 0)));
        return this;
    }

    /** The store heartbeat, step two: feed the storage guard and tell the scheduler. */
    private Behavior<StoreCommand> onDiskMeasured(StoreCommand.DiskMeasured m) {
        DiskFigures disk = m.figures();
        if (disk.capacity() > 0) storageGuard.diskUsable(disk.available());
        int leaders = 0;
        for (RegionView v : regions.values()) {
            if (v.leader() != null && v.leader().getStoreId() == settings.storeId()) leaders++;
        }
        scheduler.tell(new SchedulerCommand.StoreHeartbeat(settings.storeId(), disk.capacity(), disk.available(),
                disk.used(), peers.size(), leaders));
        return this;
    }

    // ---- supervision ------------------------------------------------------------------------------------

    private Behavior<StoreCommand> onPeerTerminated(StoreCommand.PeerTerminated t) {
        long regionId = t.regionId();
        if (peers.get(regionId) != t.peer()) {
            return this; // removed from its region (PeerRemoved came first) or already replaced
        }
        peers.remove(regionId);
        Lives l = lives.getOrDefault(regionId, new Lives(System.nanoTime(), 0));
        boolean stable = System.nanoTime() - l.startedNanos() >= supervision.stableAfter().toNanos();
        int restarts = (stable ? 0 : l.restartsInARow()) + 1;
        lives.put(regionId, new Lives(l.startedNanos(), restarts));
        Duration delay = supervision.backoff(restarts);
        long token = nextRestartToken++;
        down.put(regionId, new Down(token, 2));
        LOG.warn("store {}: the peer of region {} stopped unexpectedly; restart {} in a row from disk in {} ms",
                settings.storeId(), regionId, restarts, delay.toMillis());
        getContext().scheduleOnce(delay, getContext().getSelf(), new StoreCommand.RestartPeer(regionId, token));
        return this;
    }

    private Behavior<StoreCommand> onRestartPeer(StoreCommand.RestartPeer r) {
        Down d = down.get(r.regionId());
        if (d == null || d.token() != r.token()) return this;
        peerContext.raftLogWriter().tell(new WriterCommand.Barrier(r.token(), writerSettled));
        peerContext.kvWriter().tell(new WriterCommand.Barrier(r.token(), writerSettled));
        return this;
    }

    private Behavior<StoreCommand> onWriterSettled(StoreCommand.WriterSettled s) {
        for (Map.Entry<Long, Down> e : down.entrySet()) {
            if (e.getValue().token() != s.token()) continue;
            long regionId = e.getKey();
            int left = e.getValue().writersLeft() - 1;
            if (left > 0) {
                e.setValue(new Down(s.token(), left));
            } else {
                down.remove(regionId);
                restartFromDisk(regionId);
            }
            return this;
        }
        return this;
    }

    /** Both writers are settled: start the peer from its durable region state, if it still has one here. */
    private void restartFromDisk(long regionId) {
        RegionLocalState state;
        try (ReadView view = peerContext.engines().kv().readView()) {
            state = Meta.regionLocalState(view, regionId);
        }
        Peer self = state == null ? null : selfPeer(state.getRegion());
        if (state != null && state.getState() == PeerState.Normal && self != null) {
            LOG.info("store {}: restarting the peer of region {} from disk", settings.storeId(), regionId);
            startPeer(state.getRegion(), self, false);
            return;
        }
        // Removed meanwhile (tombstone), or never initialized here: a later message from the region's leader
        // creates it again if this store still belongs to the region.
        regions.remove(regionId);
        if (state != null && state.getState() == PeerState.Tombstone) {
            tombstones.put(regionId, state.getRegion().getRegionEpoch().getConfVer());
            lives.remove(regionId);
        }
        LOG.info("store {}: region {} has no normal state on disk; its peer is not restarted",
                settings.storeId(), regionId);
    }

    private Behavior<StoreCommand> onInjectPeerFailure(StoreCommand.InjectPeerFailure f) {
        ActorRef<PeerCommand> peer = peers.get(f.regionId());
        if (peer != null) peer.tell(PeerCommand.InjectFailure.INSTANCE);
        return this;
    }

    private Behavior<StoreCommand> onInjectWriteFailure(StoreCommand.InjectWriteFailure f) {
        (f.kv() ? peerContext.kvWriter() : peerContext.raftLogWriter()).tell(f.failure());
        return this;
    }

    private Behavior<StoreCommand> onStopTakingCommands() {
        if (!stoppedTakingCommands) LOG.info("store {} takes no more client commands (shutting down)", settings.storeId());
        stoppedTakingCommands = true;
        return this;
    }

    private Behavior<StoreCommand> onGetStatus(StoreCommand.GetStatus q) {
        List<ActorRef<PeerCommand>> all = new ArrayList<>(peers.values());
        getContext().spawnAnonymous(StatusCollector.create(all, q.replyTo(), Duration.ofSeconds(3)));
        return this;
    }
}
