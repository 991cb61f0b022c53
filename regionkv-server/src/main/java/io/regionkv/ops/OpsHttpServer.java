package io.regionkv.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoint for operators, on the JDK's own HTTP server (no web framework for three paths):
 * <ul>
 *   <li>{@code /metrics}: every meter of the registry in the Prometheus text format;
 *   <li>{@code /health/alive}: 200 while the process serves at all (a liveness probe);
 *   <li>{@code /health/ready}: 200 once {@code readiness} says so, 503 with the reason before (a
 *       readiness probe: route clients here only then).
 * </ul>
 * Two worker threads with a short queue serve it; when both are busy and the queue is full, the accepting
 * thread serves the request itself, which slows accepting down instead of queueing without bound.
 */
public final class OpsHttpServer implements AutoCloseable {

    /** Why the node is not ready, or null when it is. */
    public interface Readiness extends Supplier<String> {}

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private OpsHttpServer(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * @param port        0 picks any free port (see {@link #port()})
     * @param beforeScrape runs before each {@code /metrics} answer, to refresh gauges that must be asked for
     */
    public static OpsHttpServer start(String host, int port, PrometheusMeterRegistry registry, Runnable beforeScrape,
            Readiness readiness) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                r -> {
                    Thread t = new Thread(r, "regionkv-ops-http");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(workers);
        server.createContext("/metrics", ex -> {
            if (!isGet(ex)) return;
            beforeScrape.run();
            respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health/alive", ex -> {
            if (isGet(ex)) respond(ex, 200, "text/plain; charset=utf-8", "alive\n");
        });
        server.createContext("/health/ready", ex -> {
            if (!isGet(ex)) return;
            String notReady = readiness.get();
            if (notReady == null) {
                respond(ex, 200, "text/plain; charset=utf-8", "ready\n");
            } else {
                respond(ex, 503, "text/plain; charset=utf-8", "not ready: " + notReady + "\n");
            }
        });
        server.start();
        return new OpsHttpServer(server, workers);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers 405 to anything but GET (and HEAD); true when the request is one to serve. */
    private static boolean isGet(HttpExchange ex) throws IOException {
        String m = ex.getRequestMethod();
        if (m.equals("GET") || m.equals("HEAD")) {
            if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
                respond(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return false;
            }
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return false;
    }

    private static void respond(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
