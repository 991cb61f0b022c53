package io.regionkv.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code regionkv server} was asked to run.
 *
 * @param port           0 takes the port from the configuration (pekko.conf: any free port)
 * @param seeds          empty: the node starts a new cluster by joining itself
 * @param initialStores  the stores of the first region of a new cluster; when not given, this store alone
 *                       if it starts a cluster (no seeds), else none (it joins an existing one)
 * @param grpcPort       the gRPC API's port on {@code host}; 0 picks a free one (printed when ready)
 * @param httpPort       the port of /metrics and /health on {@code host}; 0 picks a free one
 */
record ServerOptions(long storeId, Path data, String host, int port, List<CliArgs.HostPort> seeds,
        List<Long> initialStores, int grpcPort, int httpPort) {

    /** TiKV's defaults, which operators of such clusters expect. */
    static final int DEFAULT_GRPC_PORT = 20160;
    static final int DEFAULT_HTTP_PORT = 20180;

    static final String USAGE = "usage: regionkv server --store-id N --data DIR [--host HOST] [--port P]"
            + " [--seed HOST:PORT ...] [--initial-stores 1,2,3] [--grpc-port " + DEFAULT_GRPC_PORT + "]"
            + " [--http-port " + DEFAULT_HTTP_PORT + "]";

    /** With the default gRPC and HTTP ports (for callers that start only the node, not its endpoints). */
    ServerOptions(long storeId, Path data, String host, int port, List<CliArgs.HostPort> seeds,
            List<Long> initialStores) {
        this(storeId, data, host, port, seeds, initialStores, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT);
    }

    static ServerOptions parse(String[] argv) throws UsageException {
        CliArgs args = new CliArgs(argv);
        long storeId = 0;
        Path data = null;
        String host = "127.0.0.1";
        int port = 0;
        List<CliArgs.HostPort> seeds = new ArrayList<>();
        List<Long> initial = null;
        int grpcPort = DEFAULT_GRPC_PORT;
        int httpPort = DEFAULT_HTTP_PORT;
        while (args.hasNext()) {
            String option = args.option();
            switch (option) {
                case "--store-id" -> storeId = args.positiveLong(option);
                case "--data" -> data = Path.of(args.value(option, "a directory"));
                case "--host" -> host = args.value(option, "a host name or address");
                case "--port" -> port = args.intInRange(option, 1, 65535);
                case "--seed" -> seeds.add(args.hostPort(option));
                case "--initial-stores" -> initial = args.positiveLongs(option);
                case "--grpc-port" -> grpcPort = args.intInRange(option, 0, 65535);
                case "--http-port" -> httpPort = args.intInRange(option, 0, 65535);
                default -> throw new UsageException("unknown option '" + option + "'");
            }
        }
        if (storeId == 0) throw new UsageException("--store-id is required");
        if (data == null) throw new UsageException("--data is required");
        if (initial == null) initial = seeds.isEmpty() ? List.of(storeId) : List.of();
        return new ServerOptions(storeId, data, host, port, List.copyOf(seeds), List.copyOf(initial),
                grpcPort, httpPort);
    }
}
