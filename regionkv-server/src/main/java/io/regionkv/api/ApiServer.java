package io.regionkv.api;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.regionkv.client.RegionKvClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.regionkv.scheduler.SchedulerCommand;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The gRPC server of one node, serving {@link RegionKvService} on {@code host:port}.
 *
 * <p>Calls run on the transport's own threads ({@code directExecutor}): the handlers only start
 * asynchronous client operations and never block, so a separate pool would add a hand-off and nothing
 * else. In-flight work is bounded per connection by {@code max-concurrent-calls-per-connection} (gRPC
 * then holds further calls in HTTP/2 flow control, on the client's side) and by the message size.
 */
public final class ApiServer implements AutoCloseable {

    private final Server server;

    private ApiServer(Server server) {
        this.server = server;
    }

    /**
     * @param scheduler the scheduler singleton's proxy on this node (timestamps, store heartbeats, split ids)
     * @param port 0 picks any free port (see {@link #port()})
     * @param interceptors wrap every call, for example to count it
     */
    public static ApiServer start(ActorSystem<?> system, RegionKvClient client, ActorRef<SchedulerCommand> scheduler,
            List<Long> initialStores, String host, int port, List<ServerInterceptor> interceptors) throws IOException {
        ApiSettings settings = ApiSettings.fromConfig(system.settings().config());
        ClusterListing listing = new ClusterListing(system, initialStores, settings.listingAskTimeout());
        SchedulerCalls schedulerCalls = new SchedulerCalls(system, scheduler, client.settings().requestTimeout());
        RegionKvService service = new RegionKvService(client, listing, schedulerCalls, settings);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .directExecutor()
                .maxConcurrentCallsPerConnection(settings.maxConcurrentCallsPerConnection())
                .maxInboundMessageSize(settings.maxInboundMessageBytes())
                .addService(ServerInterceptors.intercept(service.bind(), interceptors))
                .build()
                .start();
        return new ApiServer(server);
    }

    /** The port the server listens on (the chosen one when started with 0). */
    public int port() {
        return server.getPort();
    }

    /** Stops taking calls, gives those in flight a moment to answer, then cuts the rest. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) server.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
