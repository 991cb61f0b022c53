package io.regionkv.scheduler;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.proto.Schedulerpb;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Protobuf ({@code proto/schedulerpb.proto}) for every {@link SchedulerWire}: a short manifest per message
 * type, actor references in Pekko's string format. Kept apart from the store's serializer so that the
 * scheduler's protocol can grow (operators) without touching the raft path.
 */
public final class SchedulerSerializer extends SerializerWithStringManifest {

    /** Pekko reserves 0–40; the store's serializer is 1_729_001. */
    static final int IDENTIFIER = 1_729_002;

    private final ActorRefResolver resolver;

    public SchedulerSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof SchedulerCommand.AllocIds) return "AI";
        if (o instanceof SchedulerCommand.GetTimestamp) return "GT";
        if (o instanceof SchedulerCommand.RegionHeartbeat) return "RH";
        if (o instanceof SchedulerCommand.StoreHeartbeat) return "SH";
        if (o instanceof SchedulerCommand.GetRegion) return "GR";
        if (o instanceof SchedulerCommand.GetRegionById) return "GI";
        if (o instanceof SchedulerCommand.ScanRegions) return "SR";
        if (o instanceof SchedulerCommand.AskSplit) return "AS";
        if (o instanceof SchedulerCommand.GetStores) return "GS";
        if (o instanceof SchedulerReply.Stores) return "SS";
        if (o instanceof SchedulerReply.Ids) return "I";
        if (o instanceof SchedulerReply.Timestamp) return "T";
        if (o instanceof SchedulerReply.Regions) return "R";
        if (o instanceof SchedulerReply.SplitIds) return "S";
        if (o instanceof SchedulerReply.Unavailable) return "U";
        if (o instanceof SchedulerReply.Refused) return "X";
        if (o instanceof SchedulerReply.Stale) return "ST";
        if (o instanceof SchedulerReply.Operate) return "OP";
        throw new IllegalArgumentException("SchedulerSerializer cannot serialize " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        return message(o).toByteArray();
    }

    private com.google.protobuf.Message message(Object o) {
        if (o instanceof SchedulerCommand.AllocIds m) {
            return Schedulerpb.AllocIds.newBuilder().setCount(m.count()).setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.GetTimestamp m) {
            return Schedulerpb.GetTimestamp.newBuilder().setCount(m.count()).setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.RegionHeartbeat m) {
            Schedulerpb.RegionHeartbeat.Builder b = Schedulerpb.RegionHeartbeat.newBuilder().setRegion(m.region())
                    .setApproximateSize(m.approximateSize()).setApproximateKeys(m.approximateKeys())
                    .addAllPendingPeers(m.pendingPeers()).addAllDownPeers(m.downPeers());
            if (m.leader() != null) b.setLeader(m.leader());
            if (m.replyTo() != null) b.setReplyTo(ref(m.replyTo()));
            return b.build();
        }
        if (o instanceof SchedulerCommand.StoreHeartbeat m) {
            return Schedulerpb.StoreHeartbeat.newBuilder().setStoreId(m.storeId()).setCapacity(m.capacity())
                    .setAvailable(m.available()).setUsed(m.used()).setRegionCount(m.regionCount())
                    .setLeaderCount(m.leaderCount()).build();
        }
        if (o instanceof SchedulerCommand.GetRegion m) {
            return Schedulerpb.GetRegion.newBuilder().setKey(m.key()).setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.GetRegionById m) {
            return Schedulerpb.GetRegionById.newBuilder().setRegionId(m.regionId()).setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.ScanRegions m) {
            return Schedulerpb.ScanRegions.newBuilder().setStartKey(m.start()).setEndKey(m.end()).setLimit(m.limit())
                    .setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.AskSplit m) {
            return Schedulerpb.AskSplit.newBuilder().setRegion(m.region()).setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerCommand.GetStores m) {
            return Schedulerpb.GetStores.newBuilder().setReplyTo(ref(m.replyTo())).build();
        }
        if (o instanceof SchedulerReply.Stores m) {
            Schedulerpb.Stores.Builder b = Schedulerpb.Stores.newBuilder();
            for (SchedulerReply.StoreInfo i : m.stores()) {
                b.addStores(Schedulerpb.StoreHeartbeat.newBuilder().setStoreId(i.storeId()).setCapacity(i.capacity())
                        .setAvailable(i.available()).setUsed(i.used()).setRegionCount(i.regionCount())
                        .setLeaderCount(i.leaderCount()).setState(i.state().name()));
            }
            return b.build();
        }
        if (o instanceof SchedulerReply.Ids m) {
            return Schedulerpb.Ids.newBuilder().setFirst(m.first()).setCount(m.count()).build();
        }
        if (o instanceof SchedulerReply.Timestamp m) {
            return Schedulerpb.Timestamp.newBuilder().setPhysical(m.physical()).setLogical(m.logical())
                    .setCount(m.count()).build();
        }
        if (o instanceof SchedulerReply.Regions m) {
            Schedulerpb.Regions.Builder b = Schedulerpb.Regions.newBuilder();
            for (SchedulerReply.RegionInfo r : m.regions()) {
                Schedulerpb.RegionInfo.Builder rb = Schedulerpb.RegionInfo.newBuilder().setRegion(r.region());
                r.leader().ifPresent(rb::setLeader);
                b.addRegions(rb);
            }
            return b.build();
        }
        if (o instanceof SchedulerReply.SplitIds m) {
            return Schedulerpb.SplitIds.newBuilder().setNewRegionId(m.newRegionId()).addAllNewPeerIds(m.newPeerIds())
                    .build();
        }
        if (o instanceof SchedulerReply.Unavailable m) {
            return Schedulerpb.Unavailable.newBuilder().setReason(m.reason()).build();
        }
        if (o instanceof SchedulerReply.Refused m) {
            return Schedulerpb.Unavailable.newBuilder().setReason(m.reason()).build();
        }
        if (o instanceof SchedulerReply.Stale m) {
            return Schedulerpb.Stale.newBuilder().setRegionId(m.regionId()).setReason(m.reason()).build();
        }
        if (o instanceof SchedulerReply.Operate m) {
            return Schedulerpb.Operate.newBuilder().setRegionId(m.regionId()).setKind(m.kind().name()).setPeer(m.peer())
                    .build();
        }
        throw new IllegalArgumentException("SchedulerSerializer cannot serialize " + o.getClass().getName());
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            switch (manifest) {
                case "AI": {
                    var pb = Schedulerpb.AllocIds.parseFrom(bytes);
                    return new SchedulerCommand.AllocIds(pb.getCount(), resolve(pb.getReplyTo()));
                }
                case "GT": {
                    var pb = Schedulerpb.GetTimestamp.parseFrom(bytes);
                    return new SchedulerCommand.GetTimestamp(pb.getCount(), resolve(pb.getReplyTo()));
                }
                case "RH": {
                    var pb = Schedulerpb.RegionHeartbeat.parseFrom(bytes);
                    return new SchedulerCommand.RegionHeartbeat(pb.getRegion(), pb.hasLeader() ? pb.getLeader() : null,
                            pb.getApproximateSize(), pb.getApproximateKeys(), pb.getPendingPeersList(),
                            pb.getDownPeersList(), pb.getReplyTo().isEmpty() ? null : resolve(pb.getReplyTo()));
                }
                case "SH": {
                    var pb = Schedulerpb.StoreHeartbeat.parseFrom(bytes);
                    return new SchedulerCommand.StoreHeartbeat(pb.getStoreId(), pb.getCapacity(), pb.getAvailable(),
                            pb.getUsed(), pb.getRegionCount(), pb.getLeaderCount());
                }
                case "GR": {
                    var pb = Schedulerpb.GetRegion.parseFrom(bytes);
                    return new SchedulerCommand.GetRegion(pb.getKey(), resolve(pb.getReplyTo()));
                }
                case "GI": {
                    var pb = Schedulerpb.GetRegionById.parseFrom(bytes);
                    return new SchedulerCommand.GetRegionById(pb.getRegionId(), resolve(pb.getReplyTo()));
                }
                case "SR": {
                    var pb = Schedulerpb.ScanRegions.parseFrom(bytes);
                    return new SchedulerCommand.ScanRegions(pb.getStartKey(), pb.getEndKey(), pb.getLimit(),
                            resolve(pb.getReplyTo()));
                }
                case "AS": {
                    var pb = Schedulerpb.AskSplit.parseFrom(bytes);
                    return new SchedulerCommand.AskSplit(pb.getRegion(), resolve(pb.getReplyTo()));
                }
                case "GS":
                    return new SchedulerCommand.GetStores(resolve(Schedulerpb.GetStores.parseFrom(bytes).getReplyTo()));
                case "SS": {
                    var pb = Schedulerpb.Stores.parseFrom(bytes);
                    List<SchedulerReply.StoreInfo> stores = new ArrayList<>(pb.getStoresCount());
                    for (var i : pb.getStoresList()) {
                        stores.add(new SchedulerReply.StoreInfo(i.getStoreId(), i.getCapacity(), i.getAvailable(),
                                i.getUsed(), i.getRegionCount(), i.getLeaderCount(), storeState(i.getState())));
                    }
                    return new SchedulerReply.Stores(stores);
                }
                case "I": {
                    var pb = Schedulerpb.Ids.parseFrom(bytes);
                    return new SchedulerReply.Ids(pb.getFirst(), pb.getCount());
                }
                case "T": {
                    var pb = Schedulerpb.Timestamp.parseFrom(bytes);
                    return new SchedulerReply.Timestamp(pb.getPhysical(), pb.getLogical(), pb.getCount());
                }
                case "R": {
                    var pb = Schedulerpb.Regions.parseFrom(bytes);
                    List<SchedulerReply.RegionInfo> regions = new ArrayList<>(pb.getRegionsCount());
                    for (var r : pb.getRegionsList()) {
                        regions.add(new SchedulerReply.RegionInfo(r.getRegion(),
                                r.hasLeader() ? Optional.of(r.getLeader()) : Optional.empty()));
                    }
                    return new SchedulerReply.Regions(regions);
                }
                case "S": {
                    var pb = Schedulerpb.SplitIds.parseFrom(bytes);
                    return new SchedulerReply.SplitIds(pb.getNewRegionId(), pb.getNewPeerIdsList());
                }
                case "U":
                    return new SchedulerReply.Unavailable(Schedulerpb.Unavailable.parseFrom(bytes).getReason());
                case "X":
                    return new SchedulerReply.Refused(Schedulerpb.Unavailable.parseFrom(bytes).getReason());
                case "ST": {
                    var pb = Schedulerpb.Stale.parseFrom(bytes);
                    return new SchedulerReply.Stale(pb.getRegionId(), pb.getReason());
                }
                case "OP": {
                    var pb = Schedulerpb.Operate.parseFrom(bytes);
                    SchedulerReply.OperateKind kind;
                    try {
                        kind = SchedulerReply.OperateKind.valueOf(pb.getKind());
                    } catch (IllegalArgumentException e) {
                        throw new NotSerializableException("unknown operator kind '" + pb.getKind() + "'");
                    }
                    return new SchedulerReply.Operate(pb.getRegionId(), kind, pb.getPeer());
                }
                default:
                    throw new NotSerializableException("unknown scheduler manifest '" + manifest + "'");
            }
        } catch (InvalidProtocolBufferException e) {
            NotSerializableException nse = new NotSerializableException(
                    "malformed scheduler message (manifest " + manifest + "): " + e.getMessage());
            nse.initCause(e);
            throw nse;
        }
    }

    private static StoreState storeState(String name) throws NotSerializableException {
        try {
            return StoreState.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new NotSerializableException("unknown store state '" + name + "'");
        }
    }

    private String ref(ActorRef<?> ref) {
        return resolver.toSerializationFormat(ref);
    }

    private <T> ActorRef<T> resolve(String serialized) throws NotSerializableException {
        if (serialized.isEmpty()) throw new NotSerializableException("scheduler message without a reply address");
        return resolver.resolveActorRef(serialized);
    }
}
