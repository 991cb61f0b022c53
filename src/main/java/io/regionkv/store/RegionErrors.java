package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import java.util.List;

/** Builds the typed region errors a peer or store answers with. One place, so the texts stay uniform. */
public final class RegionErrors {

    private RegionErrors() {}

    public static Errorpb.Error notLeader(long regionId, Peer leaderOrNull) {
        Errorpb.NotLeader.Builder nl = Errorpb.NotLeader.newBuilder().setRegionId(regionId);
        if (leaderOrNull != null) nl.setLeader(leaderOrNull);
        return Errorpb.Error.newBuilder().setMessage("peer is not leader for region " + regionId)
                .setNotLeader(nl).build();
    }

    public static Errorpb.Error regionNotFound(long regionId) {
        return Errorpb.Error.newBuilder().setMessage("region " + regionId + " is not found on this store")
                .setRegionNotFound(Errorpb.RegionNotFound.newBuilder().setRegionId(regionId)).build();
    }

    public static Errorpb.Error keyNotInRegion(ByteString key, Region region) {
        return Errorpb.Error.newBuilder()
                .setMessage("key " + KeyRanges.printable(key) + " is not in region " + region.getId()
                        + " [" + KeyRanges.printable(region.getStartKey()) + ", " + KeyRanges.printable(region.getEndKey()) + ")")
                .setKeyNotInRegion(Errorpb.KeyNotInRegion.newBuilder().setKey(key).setRegionId(region.getId())
                        .setStartKey(region.getStartKey()).setEndKey(region.getEndKey()))
                .build();
    }

    public static Errorpb.Error epochNotMatch(String why, List<Region> current) {
        return Errorpb.Error.newBuilder().setMessage("epoch not match: " + why)
                .setEpochNotMatch(Errorpb.EpochNotMatch.newBuilder().addAllCurrentRegions(current)).build();
    }

    public static Errorpb.Error staleCommand() {
        return Errorpb.Error.newBuilder().setMessage("stale command: overtaken by a newer term, not applied")
                .setStaleCommand(Errorpb.StaleCommand.getDefaultInstance()).build();
    }

    public static Errorpb.Error serverIsBusy(String reason) {
        return Errorpb.Error.newBuilder().setMessage("server is busy: " + reason)
                .setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason(reason)).build();
    }

    /** A non-retryable error: the request itself is wrong. */
    public static Errorpb.Error invalid(String why) {
        return Errorpb.Error.newBuilder().setMessage("invalid request: " + why).build();
    }

    public static Errorpb.Error timeout(String what) {
        return Errorpb.Error.newBuilder().setMessage("timeout: " + what).build();
    }

    /** A response that carries only {@code error}, echoing the request's uuid. */
    public static RaftCmdResponse response(ByteString uuid, Errorpb.Error error) {
        return RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(uuid).setError(error)).build();
    }
}
