package io.regionkv.cli;

import io.regionkv.server.HostPort;
import io.regionkv.server.ServerCommand;
import io.regionkv.server.ServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one node of a cluster until SIGTERM or SIGINT.",
            "Prints 'serving grpc HOST:P http HOST:H' once its ports are bound, then 'ready at' once it is an"
                + " Up cluster member. Exit status 1 when it cannot start or join within 2 minutes."})
final class ServerCli implements Callable<Integer> {

    @Option(names = "--store-id", required = true, paramLabel = "N", description = "this node's store id (> 0)")
    long storeId;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "where the store keeps its data")
    Path data;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "address to bind and announce (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "cluster (Pekko) port (default: the configuration's)")
    Integer port;

    @Option(names = "--seed", paramLabel = "HOST:PORT", converter = Converters.HostPorts.class,
            description = "a cluster node to join through; repeat for more; none: start a new cluster")
    List<HostPort> seeds = new ArrayList<>();

    @Option(names = "--initial-stores", split = ",", paramLabel = "ID",
            description = "the stores of the first region of a new cluster (default: this store alone when it"
                + " starts the cluster, else none)")
    List<Long> initialStores;

    @Option(names = "--grpc-port", paramLabel = "P", defaultValue = "" + ServerOptions.DEFAULT_GRPC_PORT,
            description = "the gRPC API (default: ${DEFAULT-VALUE}; 0: any free port)")
    int grpcPort;

    @Option(names = "--http-port", paramLabel = "P", defaultValue = "" + ServerOptions.DEFAULT_HTTP_PORT,
            description = "/metrics, /health/alive, /health/ready (default: ${DEFAULT-VALUE}; 0: any free port)")
    int httpPort;

    @Spec
    CommandSpec spec;

    @ParentCommand
    RegionKvCommand parent;

    /** The options, checked. */
    ServerOptions options() {
        Checks c = new Checks(spec.commandLine());
        c.positive("--store-id", storeId);
        int p = port == null ? 0 : c.inRange("--port", port, 1, 65535);
        List<Long> initial = initialStores == null ? ServerOptions.defaultInitialStores(storeId, seeds)
                : c.positiveDistinct("--initial-stores", initialStores);
        return new ServerOptions(storeId, data, host, p, seeds, initial, c.inRange("--grpc-port", grpcPort, 0, 65535),
                c.inRange("--http-port", httpPort, 0, 65535));
    }

    @Override
    public Integer call() {
        return ServerCommand.run(options(), parent.out, parent.err);
    }
}
