package io.regionkv.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftServerpb;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.Storepb;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Protobuf on the wire for every {@link WireMessage}. The manifest is one letter per message type so
 * that the per-message overhead stays tiny; the payload is the protobuf encoding, with actor
 * references in Pekko's string format.
 */
public final class RegionKvSerializer extends SerializerWithStringManifest {

    /** Pekko reserves 0–40; any fixed number above that, unique in the system, will do. */
    static final int IDENTIFIER = 1_729_001;

    private static final String RAFT = "R";
    private static final String RAFT_BATCH = "RB";
    private static final String COMMAND = "C";
    private static final String COMMAND_REPLY = "CR"; // "A" carried a single bare response
    private static final String LOOKUP = "L";
    private static final String LOOKUP_REPLY = "LR";
    private static final String SNAPSHOT_CHUNK = "S";
    private static final String SNAPSHOT_ACK = "SA";

    private final ActorRefResolver resolver;

    public RegionKvSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof RaftEnvelope) return RAFT;
        if (o instanceof RaftBatch) return RAFT_BATCH;
        if (o instanceof CommandEnvelope) return COMMAND;
        if (o instanceof CommandReply) return COMMAND_REPLY;
        if (o instanceof RegionLookup) return LOOKUP;
        if (o instanceof RegionLookupReply) return LOOKUP_REPLY;
        if (o instanceof SnapshotChunkEnvelope) return SNAPSHOT_CHUNK;
        if (o instanceof SnapshotChunkAck) return SNAPSHOT_ACK;
        throw new IllegalArgumentException("RegionKvSerializer cannot serialize " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof RaftEnvelope m) {
            return m.message().toByteArray();
        }
        if (o instanceof RaftBatch m) {
            return RaftServerpb.RaftMessageBatch.newBuilder().addAllMessages(m.messages()).build().toByteArray();
        }
        if (o instanceof CommandEnvelope m) {
            return Storepb.CommandEnvelope.newBuilder().addAllRequests(m.requests())
                    .setReplyTo(resolver.toSerializationFormat(m.replyTo())).build().toByteArray();
        }
        if (o instanceof CommandReply m) {
            return Storepb.CommandReply.newBuilder().addAllResponses(m.responses()).build().toByteArray();
        }
        if (o instanceof RegionLookup m) {
            return Storepb.RegionLookup.newBuilder().setKey(m.key())
                    .setReplyTo(resolver.toSerializationFormat(m.replyTo())).build().toByteArray();
        }
        if (o instanceof RegionLookupReply m) {
            Storepb.RegionLookupReply.Builder b = Storepb.RegionLookupReply.newBuilder().setStoreId(m.storeId());
            m.region().ifPresent(b::setRegion);
            m.leader().ifPresent(b::setLeader);
            return b.build().toByteArray();
        }
        if (o instanceof SnapshotChunkEnvelope m) {
            return Storepb.SnapshotChunkEnvelope.newBuilder().setChunk(m.chunk()).setFromStoreId(m.fromStoreId())
                    .setAckTo(resolver.toSerializationFormat(m.ackTo())).build().toByteArray();
        }
        if (o instanceof SnapshotChunkAck m) {
            return Storepb.SnapshotChunkAck.newBuilder().setRegionId(m.regionId()).setSnapshotIndex(m.snapshotIndex())
                    .setSeq(m.seq()).setOk(m.ok()).setError(m.error() == null ? "" : m.error()).build().toByteArray();
        }
        throw new IllegalArgumentException("RegionKvSerializer cannot serialize " + o.getClass().getName());
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            switch (manifest) {
                case RAFT:
                    return new RaftEnvelope(RaftMessage.parseFrom(bytes));
                case RAFT_BATCH: {
                    RaftServerpb.RaftMessageBatch pb = RaftServerpb.RaftMessageBatch.parseFrom(bytes);
                    if (pb.getMessagesCount() == 0) {
                        throw new NotSerializableException("malformed RegionKV message (manifest " + manifest
                                + "): a raft batch without messages");
                    }
                    return new RaftBatch(pb.getMessagesList());
                }
                case COMMAND: {
                    Storepb.CommandEnvelope pb = Storepb.CommandEnvelope.parseFrom(bytes);
                    if (pb.getRequestsCount() == 0) {
                        throw new NotSerializableException("malformed RegionKV message (manifest " + manifest
                                + "): a command envelope without commands");
                    }
                    return new CommandEnvelope(pb.getRequestsList(), resolve(pb.getReplyTo()));
                }
                case COMMAND_REPLY:
                {
                    Storepb.CommandReply pb = Storepb.CommandReply.parseFrom(bytes);
                    if (pb.getResponsesCount() == 0) {
                        throw new NotSerializableException("malformed RegionKV message (manifest " + manifest
                                + "): a command reply without responses");
                    }
                    return new CommandReply(pb.getResponsesList());
                }
                case LOOKUP: {
                    Storepb.RegionLookup pb = Storepb.RegionLookup.parseFrom(bytes);
                    return new RegionLookup(pb.getKey(), resolve(pb.getReplyTo()));
                }
                case LOOKUP_REPLY: {
                    Storepb.RegionLookupReply pb = Storepb.RegionLookupReply.parseFrom(bytes);
                    return new RegionLookupReply(pb.getStoreId(),
                            pb.hasRegion() ? java.util.Optional.of(pb.getRegion()) : java.util.Optional.empty(),
                            pb.hasLeader() ? java.util.Optional.of(pb.getLeader()) : java.util.Optional.empty());
                }
                case SNAPSHOT_CHUNK: {
                    Storepb.SnapshotChunkEnvelope pb = Storepb.SnapshotChunkEnvelope.parseFrom(bytes);
                    return new SnapshotChunkEnvelope(pb.getFromStoreId(), pb.getChunk(), resolve(pb.getAckTo()));
                }
                case SNAPSHOT_ACK: {
                    Storepb.SnapshotChunkAck pb = Storepb.SnapshotChunkAck.parseFrom(bytes);
                    return new SnapshotChunkAck(pb.getRegionId(), pb.getSnapshotIndex(), pb.getSeq(), pb.getOk(),
                            pb.getError());
                }
                default:
                    throw new NotSerializableException("unknown RegionKV manifest '" + manifest + "'");
            }
        } catch (InvalidProtocolBufferException e) {
            NotSerializableException nse = new NotSerializableException(
                    "malformed RegionKV message (manifest " + manifest + "): " + e.getMessage());
            nse.initCause(e);
            throw nse;
        }
    }

    private <T> ActorRef<T> resolve(String serialized) {
        return resolver.resolveActorRef(serialized);
    }
}
