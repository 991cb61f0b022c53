package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.engine.EmptyKeyException;
import io.regionkv.engine.InvalidInputException;
import io.regionkv.engine.InvalidRangeException;
import io.regionkv.engine.KeyTooLongException;
import io.regionkv.engine.ValueTooLargeException;
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
        return serverIsBusy(reason, 0);
    }

    /** {@code backoffMs}: how long the client should wait before trying this store again. */
    public static Errorpb.Error serverIsBusy(String reason, long backoffMs) {
        return Errorpb.Error.newBuilder().setMessage("server is busy: " + reason)
                .setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason(reason).setBackoffMs(backoffMs)).build();
    }

    /** A non-retryable error: the request itself is wrong; {@code reason} says how, for programs. */
    public static Errorpb.Error invalid(Errorpb.Invalid.Reason reason, String why) {
        return Errorpb.Error.newBuilder().setMessage("invalid request: " + why)
                .setInvalid(Errorpb.Invalid.newBuilder().setReason(reason)).build();
    }

    /** The engine's refusal of a batch, with the reason its type names. */
    public static Errorpb.Error invalid(InvalidInputException e) {
        Errorpb.Invalid.Reason reason;
        if (e instanceof ValueTooLargeException) reason = Errorpb.Invalid.Reason.VALUE_TOO_LARGE;
        else if (e instanceof KeyTooLongException) reason = Errorpb.Invalid.Reason.KEY_TOO_LARGE;
        else if (e instanceof EmptyKeyException) reason = Errorpb.Invalid.Reason.EMPTY_KEY;
        else if (e instanceof InvalidRangeException) reason = Errorpb.Invalid.Reason.INVERTED_RANGE;
        else reason = Errorpb.Invalid.Reason.UNSPECIFIED;
        return invalid(reason, e.getMessage());
    }

    /** The store gave up waiting for its own proposal or read; for a write the outcome is unknown. */
    public static Errorpb.Error timeout(String what) {
        return Errorpb.Error.newBuilder().setMessage("timeout: " + what)
                .setTimeout(Errorpb.Timeout.getDefaultInstance()).build();
    }

    /** The store has no room for the write; nothing was applied. */
    public static Errorpb.Error storageFull(long storeId, String why) {
        return Errorpb.Error.newBuilder().setMessage("storage full on store " + storeId + ": " + why)
                .setStorageFull(Errorpb.StorageFull.newBuilder().setStoreId(storeId)).build();
    }

    public static Errorpb.Error storeNotMatch(long requestStoreId, long actualStoreId) {
        return Errorpb.Error.newBuilder()
                .setMessage("command for store " + requestStoreId + " reached store " + actualStoreId)
                .setStoreNotMatch(Errorpb.StoreNotMatch.newBuilder().setRequestStoreId(requestStoreId)
                        .setActualStoreId(actualStoreId)).build();
    }

    /** A response that carries only {@code error}, echoing the request's uuid. */
    public static RaftCmdResponse response(ByteString uuid, Errorpb.Error error) {
        return RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(uuid).setError(error)).build();
    }
}
