package io.regionkv.server;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code regionkv server} was asked to run (the command line reads it: {@code io.regionkv.cli}).
 *
 * @param port           0 takes the port from the configuration (pekko.conf: any free port)
 * @param seeds          empty: the node starts a new cluster by joining itself
 * @param initialStores  the stores of the first region of a new cluster
 * @param grpcPort       the gRPC API's port on {@code host}; 0 picks a free one (printed once bound)
 * @param httpPort       the port of /metrics and /health on {@code host}; 0 picks a free one
 */
public record ServerOptions(long storeId, Path data, String host, int port, List<HostPort> seeds,
        List<Long> initialStores, int grpcPort, int httpPort) {

    /** TiKV's defaults, which operators of such clusters expect. */
    public static final int DEFAULT_GRPC_PORT = 20160;
    public static final int DEFAULT_HTTP_PORT = 20180;

    public ServerOptions {
        seeds = List.copyOf(seeds);
        initialStores = List.copyOf(initialStores);
    }

    /** With the default gRPC and HTTP ports (for callers that start only the node, not its endpoints). */
    public ServerOptions(long storeId, Path data, String host, int port, List<HostPort> seeds,
            List<Long> initialStores) {
        this(storeId, data, host, port, seeds, initialStores, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT);
    }

    /** Without {@code --initial-stores}: this store alone if it starts a cluster (no seeds), else none. */
    public static List<Long> defaultInitialStores(long storeId, List<HostPort> seeds) {
        return seeds.isEmpty() ? List.of(storeId) : List.of();
    }
}
