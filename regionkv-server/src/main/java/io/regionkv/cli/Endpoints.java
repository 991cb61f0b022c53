package io.regionkv.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.regionkv.api.RegionKvStub;
import io.regionkv.server.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that say where the cluster is ({@code --endpoints}) and how long to wait, and the
 * connection they make. Any node answers any request, so the endpoints are only alternatives: a call goes
 * to the first, and to the next only when one is {@code UNAVAILABLE}: not reachable, or it definitely did
 * nothing with the call (see {@link io.regionkv.api.GrpcErrors}), so that trying elsewhere cannot apply
 * a write twice.
 */
final class Endpoints {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--endpoints", split = ",", paramLabel = "HOST:PORT", converter = Converters.HostPorts.class,
            defaultValue = "127.0.0.1:20160",
            description = "gRPC addresses of cluster nodes, tried in order (default: ${DEFAULT-VALUE})")
    List<HostPort> endpoints = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", converter = Converters.Durations.class,
            description = "the longest one call may take, such as 500ms, 15s or 2m (default: ${DEFAULT-VALUE})")
    Duration timeout;

    /** Runs {@code call} against the endpoints in order until one answers other than UNAVAILABLE. */
    <T> T call(Function<RegionKvStub, T> call) {
        if (timeout.isZero()) throw new ParameterException(spec.commandLine(), "--timeout must be more than zero");
        StatusRuntimeException last = Status.UNAVAILABLE.withDescription("no endpoint given").asRuntimeException();
        for (HostPort e : endpoints) {
            ManagedChannel channel = NettyChannelBuilder.forAddress(e.host(), e.port()).usePlaintext().build();
            try {
                return call.apply(new RegionKvStub(channel, timeout));
            } catch (StatusRuntimeException failure) {
                if (failure.getStatus().getCode() != Status.Code.UNAVAILABLE) throw failure;
                last = Status.UNAVAILABLE.withDescription(e + ": " + failure.getStatus().getDescription())
                        .asRuntimeException();
            } finally {
                channel.shutdownNow();
                try {
                    channel.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        throw last;
    }
}
