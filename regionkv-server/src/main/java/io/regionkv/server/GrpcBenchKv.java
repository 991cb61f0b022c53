package io.regionkv.server;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.regionkv.api.RegionKvMethods;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.SplitRequest;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import java.util.Optional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bench's operations as a plain gRPC client would make them: {@code RawPut} and {@code RawGet} on one
 * connection per endpoint, taken in turn, so the load spreads over the given nodes and each node forwards
 * to the leader as it would for a client in any language. Calls are asynchronous and their completions
 * run on the connection's own threads ({@code directExecutor}): the bench's callbacks only record a
 * latency and start the next call, and a hand-off to another pool would be measured too.
 */
final class GrpcBenchKv implements BenchKv, BenchAdmin, AutoCloseable {

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Duration deadline;
    private final AtomicInteger next = new AtomicInteger();

    GrpcBenchKv(List<HostPort> endpoints, Duration deadline) {
        if (endpoints.isEmpty()) throw new IllegalArgumentException("no gRPC endpoint given");
        this.deadline = deadline;
        for (HostPort e : endpoints) {
            channels.add(NettyChannelBuilder.forAddress(e.host(), e.port()).usePlaintext().directExecutor().build());
        }
    }

    @Override
    public CompletionStage<Void> put(ByteString key, ByteString value) {
        return call(RegionKvMethods.RAW_PUT, RawPutRequest.newBuilder().setKey(key).setValue(value).build())
                .thenApply(r -> null);
    }

    @Override
    public CompletionStage<?> get(ByteString key) {
        return call(RegionKvMethods.RAW_GET, RawGetRequest.newBuilder().setKey(key).build());
    }

    @Override
    public CompletionStage<List<Placed>> regions() {
        return call(RegionKvMethods.LIST_REGIONS, ListRegionsRequest.getDefaultInstance())
                .thenApply(r -> r.getRegionsList().stream().map(i -> new Placed(i.getRegion(),
                        i.hasLeader() ? Optional.of(i.getLeader()) : Optional.empty())).toList());
    }

    @Override
    public CompletionStage<Void> split(ByteString key) {
        return call(RegionKvMethods.SPLIT, SplitRequest.newBuilder().setSplitKey(key).build()).thenApply(r -> null);
    }

    @Override
    public CompletionStage<Void> transferLeader(long regionId, long storeId) {
        return call(RegionKvMethods.TRANSFER_LEADER, TransferLeaderRequest.newBuilder().setRegionId(regionId)
                .setStoreId(storeId).build()).thenApply(r -> null);
    }

    private <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request) {
        CompletableFuture<R> done = new CompletableFuture<>();
        ManagedChannel channel = channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
        ClientCalls.asyncUnaryCall(channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)), request,
                new StreamObserver<R>() {
                    @Override
                    public void onNext(R value) {
                        done.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        // a unary call answered in onNext (or failed in onError)
                    }
                });
        return done;
    }

    @Override
    public void close() {
        for (ManagedChannel c : channels) c.shutdownNow();
        for (ManagedChannel c : channels) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
