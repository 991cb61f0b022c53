package io.regionkv.server;

import io.regionkv.RegionKV;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.regionkv.api.ApiServer;
import io.regionkv.ops.OpsHttpServer;
import io.regionkv.ops.RequestMetrics;
import io.regionkv.ops.StoreGauges;
import io.regionkv.ops.StoreMeters;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What {@code regionkv server} offers beside cluster membership: the gRPC API and the operators' HTTP
 * endpoint (metrics, health). Both start before the node has joined, so that {@code /health/ready} can
 * say it is not ready yet, and both stop in coordinated shutdown's service-unbind phase, before the
 * node leaves the cluster, so that clients move to other nodes while this one still answers.
 */
final class ServerEndpoints {

    /** How long a scrape waits for the store's status before answering with the last values. */
    private static final long STATUS_TIMEOUT_MILLIS = 2000;

    private final ApiServer api;
    private final OpsHttpServer http;

    private ServerEndpoints(ApiServer api, OpsHttpServer http) {
        this.api = api;
        this.http = http;
    }

    static ServerEndpoints start(ActorSystem<?> system, ServerOptions options) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("store", Long.toString(options.storeId()));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        RegionKV kv = RegionKV.get(system);
        Optional<StoreGauges> gauges = kv.node().map(n -> new StoreGauges(n, registry));
        kv.node().ifPresent(n -> StoreMeters.bind(n.storeId(), n.metrics(), registry));
        List<Long> stores = system.settings().config().getLongList("regionkv.initial-stores");
        ApiServer api = ApiServer.start(system, kv.client(), kv.scheduler(), stores, options.host(), options.grpcPort(),
                List.of(new RequestMetrics(registry)));
        OpsHttpServer http;
        try {
            http = OpsHttpServer.start(options.host(), options.httpPort(), registry,
                    () -> gauges.ifPresent(g -> g.refresh(STATUS_TIMEOUT_MILLIS)), () -> notReady(system));
        } catch (IOException | RuntimeException e) {
            api.close();
            throw e;
        }
        ServerEndpoints endpoints = new ServerEndpoints(api, http);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "regionkv-endpoints",
                // close() waits for in-flight calls: off the dispatcher's threads.
                () -> CompletableFuture.supplyAsync(() -> {
                    endpoints.close();
                    return Done.getInstance();
                }));
        return endpoints;
    }

    /** Ready means: an Up member of the cluster, with this node's store started; else why not. */
    private static String notReady(ActorSystem<?> system) {
        if (system.whenTerminated().isCompleted()) return "stopped";
        MemberStatus status = Cluster.get(system).selfMember().status();
        if (status != MemberStatus.up()) return "cluster member status " + status;
        if (RegionKV.get(system).node().isEmpty()) return "no store on this node";
        return null;
    }

    int grpcPort() {
        return api.port();
    }

    int httpPort() {
        return http.port();
    }

    void close() {
        api.close();
        http.close();
    }
}
