package io.regionkv.api;

import com.google.protobuf.ByteString;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.regionkv.client.RegionKvClient;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import io.regionkv.proto.Regionkvpb.AddPeerResponse;
import io.regionkv.proto.Regionkvpb.GetTimestampRequest;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import io.regionkv.proto.Regionkvpb.KvPair;
import io.regionkv.proto.Regionkvpb.ListRegionsResponse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The {@code RegionKv} gRPC service of one node. Every call goes through the node's own
 * {@link RegionKvClient}, which finds the region's leader anywhere in the cluster, so any node answers any
 * request. Handlers never block: they start the client's asynchronous operation and answer from its
 * completion, so the transport's threads are never held by a slow region.
 */
public final class RegionKvService {

    private final RegionKvClient client;
    private final ClusterListing listing;
    private final SchedulerCalls scheduler;
    private final ApiSettings settings;
    private final InFlightLimit inFlight;

    RegionKvService(RegionKvClient client, ClusterListing listing, SchedulerCalls scheduler, ApiSettings settings) {
        this.client = client;
        this.listing = listing;
        this.scheduler = scheduler;
        this.settings = settings;
        this.inFlight = new InFlightLimit(settings.maxInFlightOperations());
    }

    public ServerServiceDefinition bind() {
        return ServerServiceDefinition.builder(RegionKvMethods.serviceDescriptor())
                .addMethod(RegionKvMethods.RAW_GET, ServerCalls.asyncUnaryCall(this::rawGet))
                .addMethod(RegionKvMethods.RAW_BATCH_GET, ServerCalls.asyncUnaryCall(this::rawBatchGet))
                .addMethod(RegionKvMethods.RAW_PUT, ServerCalls.asyncUnaryCall(this::rawPut))
                .addMethod(RegionKvMethods.RAW_BATCH_PUT, ServerCalls.asyncUnaryCall(this::rawBatchPut))
                .addMethod(RegionKvMethods.RAW_DELETE, ServerCalls.asyncUnaryCall(this::rawDelete))
                .addMethod(RegionKvMethods.RAW_SCAN, ServerCalls.asyncUnaryCall(this::rawScan))
                .addMethod(RegionKvMethods.LIST_REGIONS, ServerCalls.asyncUnaryCall(
                        (req, obs) -> answer(obs, 1, () -> listing.regions()
                                .thenApply(r -> ListRegionsResponse.newBuilder().addAllRegions(r).build()))))
                .addMethod(RegionKvMethods.LIST_STORES, ServerCalls.asyncUnaryCall(
                        (req, obs) -> answer(obs, 1, () -> listing.stores().thenCombine(scheduler.storeStats(),
                                (stores, stats) -> ListStoresResponse.newBuilder().addAllStores(stores)
                                        .addAllStats(stats).build()))))
                .addMethod(RegionKvMethods.SPLIT, ServerCalls.asyncUnaryCall(this::split))
                .addMethod(RegionKvMethods.GET_TIMESTAMP, ServerCalls.asyncUnaryCall(this::getTimestamp))
                .addMethod(RegionKvMethods.TRANSFER_LEADER, ServerCalls.asyncUnaryCall(
                        (req, obs) -> membership(obs, "TransferLeader", req.getRegionId(), req.getStoreId(),
                                () -> client.transferLeader(req.getRegionId(), req.getStoreId()),
                                TransferLeaderResponse.getDefaultInstance())))
                .addMethod(RegionKvMethods.ADD_PEER, ServerCalls.asyncUnaryCall(
                        (req, obs) -> membership(obs, "AddPeer", req.getRegionId(), req.getStoreId(),
                                () -> client.addPeer(req.getRegionId(), req.getStoreId()),
                                AddPeerResponse.getDefaultInstance())))
                .addMethod(RegionKvMethods.REMOVE_PEER, ServerCalls.asyncUnaryCall(
                        (req, obs) -> membership(obs, "RemovePeer", req.getRegionId(), req.getStoreId(),
                                () -> client.removePeer(req.getRegionId(), req.getStoreId()),
                                RemovePeerResponse.getDefaultInstance())))
                .build();
    }

    private void split(SplitRequest req, StreamObserver<SplitResponse> obs) {
        answer(obs, 1, () -> {
            if (req.getSplitKey().isEmpty()) {
                throw new IllegalArgumentException("split_key must not be empty: the empty key starts the first region");
            }
            return client.split(req.getSplitKey()).thenApply(v -> SplitResponse.getDefaultInstance());
        });
    }

    /**
     * A membership call by region and store id. Ids are unsigned on the wire and 0 is never assigned, so
     * 0 and anything past Long.MAX_VALUE (negative in Java) are refused here, before the client would
     * search the scheduler's directory for them until its deadline.
     */
    private <R> void membership(StreamObserver<R> obs, String call, long regionId, long storeId,
            Supplier<CompletionStage<Void>> change, R done) {
        answer(obs, 1, () -> {
            if (regionId <= 0 || storeId <= 0) {
                throw new IllegalArgumentException(call + ": region_id and store_id must be set and at most "
                        + Long.MAX_VALUE + ", were " + Long.toUnsignedString(regionId) + " and "
                        + Long.toUnsignedString(storeId));
            }
            return change.get().thenApply(v -> done);
        });
    }

    private void getTimestamp(GetTimestampRequest req, StreamObserver<GetTimestampResponse> obs) {
        // Unsigned on the wire: a count past Integer.MAX_VALUE stays out of range instead of turning negative.
        long count = req.getCount() == 0 ? 1 : Integer.toUnsignedLong(req.getCount());
        answer(obs, 1, () -> scheduler.timestamps((int) Math.min(count, Integer.MAX_VALUE)));
    }

    private void rawGet(RawGetRequest req, StreamObserver<RawGetResponse> obs) {
        answer(obs, 1, () -> client.get(req.getCf(), req.getKey()).thenApply(v -> v
                .map(value -> RawGetResponse.newBuilder().setValue(value).build())
                .orElseGet(() -> RawGetResponse.newBuilder().setNotFound(true).build())));
    }

    private void rawBatchGet(RawBatchGetRequest req, StreamObserver<RawBatchGetResponse> obs) {
        if (!checkBatch(req.getKeysCount(), obs)) return;
        answer(obs, Math.max(1, req.getKeysCount()), () -> {
            List<CompletableFuture<Optional<ByteString>>> gets = new ArrayList<>();
            for (ByteString key : req.getKeysList()) gets.add(client.get(req.getCf(), key).toCompletableFuture());
            return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                RawBatchGetResponse.Builder b = RawBatchGetResponse.newBuilder();
                for (int i = 0; i < gets.size(); i++) {
                    ByteString key = req.getKeys(i);
                    gets.get(i).join().ifPresent(v -> b.addPairs(KvPair.newBuilder().setKey(key).setValue(v)));
                }
                return b.build();
            });
        });
    }

    private void rawPut(RawPutRequest req, StreamObserver<RawPutResponse> obs) {
        answer(obs, 1, () -> client.put(req.getCf(), req.getKey(), req.getValue())
                .thenApply(v -> RawPutResponse.getDefaultInstance()));
    }

    private void rawBatchPut(RawBatchPutRequest req, StreamObserver<RawBatchPutResponse> obs) {
        if (!checkBatch(req.getPairsCount(), obs)) return;
        answer(obs, Math.max(1, req.getPairsCount()), () -> {
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            for (KvPair p : req.getPairsList()) {
                puts.add(client.put(req.getCf(), p.getKey(), p.getValue()).toCompletableFuture());
            }
            return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                    .thenApply(v -> RawBatchPutResponse.getDefaultInstance());
        });
    }

    private void rawDelete(RawDeleteRequest req, StreamObserver<RawDeleteResponse> obs) {
        answer(obs, 1, () -> client.delete(req.getCf(), req.getKey())
                .thenApply(v -> RawDeleteResponse.getDefaultInstance()));
    }

    private void rawScan(RawScanRequest req, StreamObserver<RawScanResponse> obs) {
        answer(obs, 1, () -> {
            if (req.getLimit() < 1 || req.getLimit() > settings.maxScanLimit()) {
                throw new IllegalArgumentException("limit must be between 1 and " + settings.maxScanLimit()
                        + " (regionkv.api.max-scan-limit), was " + Integer.toUnsignedString(req.getLimit()));
            }
            return client.scan(req.getCf(), req.getStartKey(), req.getEndKey(), req.getLimit()).thenApply(pairs -> {
                RawScanResponse.Builder b = RawScanResponse.newBuilder();
                for (io.regionkv.client.KvPair p : pairs) {
                    b.addPairs(KvPair.newBuilder().setKey(p.key()).setValue(p.value()));
                }
                return b.build();
            });
        });
    }

    /** Refuses a batch over the limit before it takes places in flight (it could never get them all). */
    private boolean checkBatch(int size, StreamObserver<?> obs) {
        if (size <= settings.maxBatchKeys()) return true;
        obs.onError(Status.INVALID_ARGUMENT.withDescription("a batch holds at most " + settings.maxBatchKeys()
                + " keys (regionkv.api.max-batch-keys), this one " + size).asRuntimeException());
        return false;
    }

    /**
     * Takes {@code operations} places in flight, starts {@code call} and answers its outcome. Bad input
     * throws from the call itself (the client's contract), so that is caught here too: a gRPC handler must
     * answer every request with a status.
     */
    private <R> void answer(StreamObserver<R> obs, int operations, Supplier<CompletionStage<R>> call) {
        if (!inFlight.tryAcquire(operations)) {
            obs.onError(Status.RESOURCE_EXHAUSTED.withDescription("this node has " + inFlight.inFlight()
                    + " operations in flight, at most " + inFlight.max()
                    + " (regionkv.api.max-in-flight-operations); retry later or elsewhere").asRuntimeException());
            return;
        }
        CompletionStage<R> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            inFlight.release(operations);
            obs.onError(GrpcErrors.toStatus(e));
            return;
        }
        stage.whenComplete((value, error) -> {
            inFlight.release(operations);
            if (error != null) {
                obs.onError(GrpcErrors.toStatus(error));
            } else if (value == null) {
                obs.onError(Status.INTERNAL.withDescription("no answer").asRuntimeException());
            } else {
                obs.onNext(value);
                obs.onCompleted();
            }
        });
    }
}
