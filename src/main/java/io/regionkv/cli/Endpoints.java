package io.regionkv.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.regionkv.api.RegionKvStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that say where the cluster is ({@code --endpoints}) and how long to wait, and the
 * connection they make. Any node answers any request, so the endpoints are only alternatives: a call goes
 * to the first, and to the next only when one is {@code UNAVAILABLE}: not reachable, or it definitely did
 * nothing with the call (see {@link io.regionkv.api.GrpcErrors}), so that trying elsewhere cannot apply
 * a write twice.
 */
final class Endpoints {

    @Option(names = "--endpoints", split = ",", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            defaultValue = "127.0.0.1:20160",
            description = "gRPC addresses of cluster nodes, tried in order (default: ${DEFAULT-VALUE})")
    List<HostPort> endpoints = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "the longest one call may take, such as 500ms, 15s or 2m (default: ${DEFAULT-VALUE})")
    Duration timeout;

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Runs {@code call} against the endpoints in order until one answers other than UNAVAILABLE. */
    <T> T call(Function<RegionKvStub, T> call) {
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

    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("needs HOST:PORT, got '" + value + "'");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new TypeConversionException("needs a port between 1 and 65535, got '" + value + "'");
            }
            return new HostPort(value.substring(0, colon), port);
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String s = value.strip();
            int unitAt = 0;
            while (unitAt < s.length() && Character.isDigit(s.charAt(unitAt))) unitAt++;
            if (unitAt == 0 || unitAt > 9) throw new TypeConversionException("needs a duration such as 500ms, 15s or 2m, got '" + value + "'");
            long n = Long.parseLong(s.substring(0, unitAt));
            Duration d = switch (s.substring(unitAt)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> throw new TypeConversionException("needs a unit ms, s or m, got '" + value + "'");
            };
            if (d.isZero()) throw new TypeConversionException("must be more than zero");
            return d;
        }
    }
}
