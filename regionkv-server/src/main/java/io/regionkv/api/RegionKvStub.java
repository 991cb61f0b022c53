package io.regionkv.api;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import io.regionkv.proto.Regionkvpb.AddPeerResponse;
import io.regionkv.proto.Regionkvpb.GetTimestampRequest;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.ListRegionsResponse;
import io.regionkv.proto.Regionkvpb.ListStoresRequest;
import io.regionkv.proto.Regionkvpb.ListStoresResponse;
import io.regionkv.proto.Regionkvpb.RawBatchGetRequest;
import io.regionkv.proto.Regionkvpb.RawBatchGetResponse;
import io.regionkv.proto.Regionkvpb.RawBatchPutRequest;
import io.regionkv.proto.Regionkvpb.RawBatchPutResponse;
import io.regionkv.proto.Regionkvpb.RawDeleteRequest;
import io.regionkv.proto.Regionkvpb.RawDeleteResponse;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawGetResponse;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.RawPutResponse;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.proto.Regionkvpb.RawScanResponse;
import io.regionkv.proto.Regionkvpb.RemovePeerRequest;
import io.regionkv.proto.Regionkvpb.RemovePeerResponse;
import io.regionkv.proto.Regionkvpb.SplitRequest;
import io.regionkv.proto.Regionkvpb.SplitResponse;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import io.regionkv.proto.Regionkvpb.TransferLeaderResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A blocking Java client of the {@code RegionKv} gRPC service over any {@link Channel}: the shape of a
 * generated blocking stub, and like one it depends on nothing but gRPC and the proto messages (no
 * RegionKV node, no Pekko). Every call carries a deadline; failures are
 * {@link io.grpc.StatusRuntimeException}s with the codes {@link GrpcErrors} describes.
 */
public final class RegionKvStub {

    private final Channel channel;
    private final Duration deadline;

    public RegionKvStub(Channel channel, Duration deadline) {
        this.channel = channel;
        this.deadline = deadline;
    }

    public RawGetResponse rawGet(RawGetRequest request) {
        return call(RegionKvMethods.RAW_GET, request);
    }

    public RawBatchGetResponse rawBatchGet(RawBatchGetRequest request) {
        return call(RegionKvMethods.RAW_BATCH_GET, request);
    }

    public RawPutResponse rawPut(RawPutRequest request) {
        return call(RegionKvMethods.RAW_PUT, request);
    }

    public RawBatchPutResponse rawBatchPut(RawBatchPutRequest request) {
        return call(RegionKvMethods.RAW_BATCH_PUT, request);
    }

    public RawDeleteResponse rawDelete(RawDeleteRequest request) {
        return call(RegionKvMethods.RAW_DELETE, request);
    }

    public RawScanResponse rawScan(RawScanRequest request) {
        return call(RegionKvMethods.RAW_SCAN, request);
    }

    public ListRegionsResponse listRegions(ListRegionsRequest request) {
        return call(RegionKvMethods.LIST_REGIONS, request);
    }

    public ListStoresResponse listStores(ListStoresRequest request) {
        return call(RegionKvMethods.LIST_STORES, request);
    }

    public SplitResponse split(SplitRequest request) {
        return call(RegionKvMethods.SPLIT, request);
    }

    public GetTimestampResponse getTimestamp(GetTimestampRequest request) {
        return call(RegionKvMethods.GET_TIMESTAMP, request);
    }

    public TransferLeaderResponse transferLeader(TransferLeaderRequest request) {
        return call(RegionKvMethods.TRANSFER_LEADER, request);
    }

    public AddPeerResponse addPeer(AddPeerRequest request) {
        return call(RegionKvMethods.ADD_PEER, request);
    }

    public RemovePeerResponse removePeer(RemovePeerRequest request) {
        return call(RegionKvMethods.REMOVE_PEER, request);
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS), request);
    }
}
