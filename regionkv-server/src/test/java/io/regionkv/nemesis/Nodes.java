package io.regionkv.nemesis;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.regionkv.api.RegionKvMethods;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import io.regionkv.testing.ServerProcesses;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The gRPC side of the nemesis: one channel per server, replaced when a server restarts (it serves on a
 * new port). The clients use nothing of RegionKV but the proto messages and method descriptors.
 */
final class Nodes implements AutoCloseable {

    private final ServerProcesses servers;
    private final int count;
    /** Store s at s - 1. */
    private final AtomicReferenceArray<ManagedChannel> channels;

    Nodes(ServerProcesses servers, int count) {
        this.servers = servers;
        this.count = count;
        this.channels = new AtomicReferenceArray<>(count);
    }

    int count() {
        return count;
    }

    /** Opens a channel to the server of {@code store} started last (after its serving line), closing the old one. */
    void connect(int store) {
        ManagedChannel fresh = NettyChannelBuilder.forAddress("127.0.0.1", servers.grpcPort(store)).usePlaintext().build();
        ManagedChannel old = channels.getAndSet(store - 1, fresh);
        if (old != null) old.shutdownNow();
    }

    ManagedChannel channel(int store) {
        return channels.get(store - 1);
    }

    static <Q, R> R call(ManagedChannel channel, MethodDescriptor<Q, R> method, Q request, Duration deadline) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS), request);
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /**
     * Whether a failed write certainly did nothing. Only a refusal gRPC reports as definite counts; an
     * UNAVAILABLE may also be a connection cut mid-call and a deadline may hide an applied write, so both
     * leave the outcome unknown.
     */
    static boolean definitelyNotApplied(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION;
    }

    /** One put and one get of a probe key through {@code store}; whether both succeeded. */
    boolean serves(int store, String probeKey, Duration deadline) {
        ManagedChannel c = channel(store);
        if (c == null) return false;
        try {
            call(c, RegionKvMethods.RAW_PUT, RawPutRequest.newBuilder().setKey(b(probeKey)).setValue(b("x")).build(),
                    deadline);
            call(c, RegionKvMethods.RAW_GET, RawGetRequest.newBuilder().setKey(b(probeKey)).build(), deadline);
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /** The store that leads the first region as some live server reports it, if any does. */
    OptionalInt leader() {
        for (int s = 1; s <= count; s++) {
            ManagedChannel c = channel(s);
            if (c == null || !servers.isAlive(s)) continue;
            try {
                List<RegionInfo> regions = call(c, RegionKvMethods.LIST_REGIONS, ListRegionsRequest.getDefaultInstance(),
                        Duration.ofSeconds(3)).getRegionsList();
                if (!regions.isEmpty() && regions.get(0).hasLeader()) {
                    return OptionalInt.of((int) regions.get(0).getLeader().getStoreId());
                }
            } catch (StatusRuntimeException e) {
                // ask the next one
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public void close() {
        for (int i = 0; i < count; i++) {
            ManagedChannel c = channels.get(i);
            if (c != null) c.shutdownNow();
        }
    }
}
