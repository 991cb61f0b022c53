package io.regionkv.cli;

import io.regionkv.server.ServerCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run one node of a cluster until SIGTERM or SIGINT.",
            "  --store-id N            this node's store (required)",
            "  --data DIR              where the store keeps its data (required)",
            "  --host HOST             address to bind and announce (default 127.0.0.1)",
            "  --port P                cluster (Pekko) port (default: from the configuration)",
            "  --seed HOST:PORT        a cluster node to join through; repeat for more; none: start a cluster",
            "  --initial-stores 1,2,3  the stores of the first region of a new cluster",
            "  --grpc-port P           the gRPC API (default 20160; 0: any free port, printed when ready)",
            "  --http-port P           /metrics, /health/alive, /health/ready (default 20180; 0: any free port)"},
        footer = "%n${COMMAND-FULL-NAME} prints a line with 'ready at' once it is an Up cluster member.")
final class ServerCli extends PassThrough implements Callable<Integer> {

    @Override
    public Integer call() {
        return ServerCommand.run(argv(), parent.out, parent.err);
    }
}
