package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.RaftEnvelope;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import io.regionkv.transport.SnapshotChunkAck;
import io.regionkv.transport.SnapshotChunkEnvelope;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.proto.RaftServerpb.SnapshotChunk;
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
 */
public final class StoreActor extends AbstractBehavior<StoreCommand> {

    private record RegionView(Region region, Peer leader) {}

    private final StoreSettings settings;
    private final PeerContext peerContext;
    private final Map<Long, ActorRef<PeerCommand>> peers = new HashMap<>();
    private final Map<Long, RegionView> regions = new HashMap<>();
    /** Regions this store's peer was removed from, with the conf version of that removal. */
    private final Map<Long, Long> tombstones = new HashMap<>();
    /** Open snapshot streams by "region_term_index". */
    private final Map<String, ActorRef<SnapshotReceiver.Command>> receivers = new HashMap<>();

    public static Behavior<StoreCommand> create(StoreSettings settings, Engines engines,
            ActorRef<WriterCommand> raftLogWriter, ActorRef<WriterCommand> kvWriter, RaftTransport transport) {
        return Behaviors.setup(ctx -> new StoreActor(ctx, settings, engines, raftLogWriter, kvWriter, transport));
    }

    private StoreActor(ActorContext<StoreCommand> ctx, StoreSettings settings, Engines engines,
            ActorRef<WriterCommand> raftLogWriter, ActorRef<WriterCommand> kvWriter, RaftTransport transport) {
        super(ctx);
        this.settings = settings;
        this.peerContext = new PeerContext(settings, engines, raftLogWriter, kvWriter, transport, ctx.getSelf());
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
                .build();
    }

    private Behavior<StoreCommand> onInbound(StoreCommand.Inbound in) {
        StoreWire w = in.wire();
        if (w instanceof RaftEnvelope r) {
            if (r.message().getMessage().getMsgType() == MessageType.MsgSnapshot) {
                return this; // snapshots travel only as checked streams (SnapshotReceived), never bare
            }
            onRaftMessage(r.message());
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
                    getContext().getSelf(), Duration.ofSeconds(30)), IoDispatcher.SNAPSHOT);
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
        ActorRef<PeerCommand> peer = peers.get(m.getRegionId());
        if (peer == null) {
            peer = maybeCreatePeer(m);
            if (peer == null) return;
        }
        peer.tell(new PeerCommand.RaftMessageIn(m));
    }

    private void onCommand(RaftCmdRequest req, ActorRef<CommandReply> replyTo) {
        long regionId = req.getHeader().getRegionId();
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
        if (!initial || m.getIsTombstone()) return null;
        Long removedAt = tombstones.get(m.getRegionId());
        if (removedAt != null && m.getRegionEpoch().getConfVer() <= removedAt) {
            return null; // a stale member still talking to the peer it removed; re-adding bumps conf_ver
        }
        for (RegionView v : regions.values()) {
            if (overlaps(v.region(), m.getStartKey(), m.getEndKey())) return null;
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
        ref.tell(new PeerCommand.Start(campaign));
        return ref;
    }

    private Behavior<StoreCommand> onRegionSplit(StoreCommand.RegionSplit s) {
        RegionView left = regions.get(s.left().getId());
        if (left != null) regions.put(s.left().getId(), new RegionView(s.left(), left.leader()));
        Peer self = selfPeer(s.right());
        if (self != null && !peers.containsKey(s.right().getId())) {
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
        tombstones.put(regionId, r.region().getRegionEpoch().getConfVer());
        return this;
    }

    private Behavior<StoreCommand> onGetStatus(StoreCommand.GetStatus q) {
        List<ActorRef<PeerCommand>> all = new ArrayList<>(peers.values());
        getContext().spawnAnonymous(StatusCollector.create(all, q.replyTo(), Duration.ofSeconds(3)));
        return this;
    }
}
