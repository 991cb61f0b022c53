package io.regionkv.cli;

import io.regionkv.server.BenchCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"End-to-end throughput and latency of puts and gets through the Java client.",
            "Against a cluster in this process, or one joined with --connect.",
            "  --connect HOST:PORT      join this cluster node's cluster as a client-only node",
            "  --stores 1,2,3           with --connect: the stores asked first where regions are",
            "  --host HOST              with --connect: this client node's address (default 127.0.0.1)",
            "  --nodes N                the in-process cluster's size (default 3)",
            "  --data DIR               the in-process cluster's data (default: a temporary directory)",
            "  --keys N                 distinct keys (default 100000)",
            "  --value-size BYTES       (default 256)",
            "  --concurrency 1,64,256   requests in flight, one phase each",
            "  --warmup 5s --duration 15s   per phase"})
final class BenchCli extends PassThrough implements Callable<Integer> {

    @Override
    public Integer call() {
        return BenchCommand.run(argv(), parent.out, parent.err);
    }
}
