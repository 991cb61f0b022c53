package io.regionkv.ops;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts every gRPC call and its latency by command (the method name, {@code RawGet}) and outcome (the
 * gRPC status code, {@code OK}, {@code UNAVAILABLE}, ...), as the timer {@code regionkv.grpc.requests}
 * (Prometheus: {@code regionkv_grpc_requests_seconds_count}, {@code _sum}, {@code _bucket}). The
 * buckets are fixed so that a dashboard can compute quantiles across nodes, which per-node percentiles
 * cannot do.
 */
public final class RequestMetrics implements ServerInterceptor {

    public static final String NAME = "regionkv.grpc.requests";

    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long started = System.nanoTime();
        String command = call.getMethodDescriptor().getBareMethodName();
        AtomicBoolean recorded = new AtomicBoolean();
        Runnable cancelled = () -> record(command, Status.Code.CANCELLED, started, recorded);
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(command, status.getCode(), started, recorded);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
            @Override
            public void onCancel() {
                cancelled.run();
                super.onCancel();
            }
        };
    }

    /** Once per call: a cancelled call may still be closed by its handler afterwards. */
    private void record(String command, Status.Code outcome, long started, AtomicBoolean recorded) {
        if (!recorded.compareAndSet(false, true)) return;
        Timer.builder(NAME)
                .description("gRPC calls by command and outcome")
                .tag("command", command == null ? "unknown" : command)
                .tag("outcome", outcome.name())
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
