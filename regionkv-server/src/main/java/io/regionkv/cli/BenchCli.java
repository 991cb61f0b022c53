package io.regionkv.cli;

import io.regionkv.server.BenchCommand;
import io.regionkv.server.BenchOptions;
import io.regionkv.server.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Throughput and latency of puts, then linearizable gets, through the Java client,",
            "against a cluster started in this process or one joined with --connect; or as a plain gRPC",
            "client of running nodes with --endpoints."})
final class BenchCli implements Callable<Integer> {

    @Option(names = "--endpoints", split = ",", paramLabel = "HOST:PORT", converter = Converters.HostPorts.class,
            description = "call these nodes' gRPC API (taken in turn) instead of joining or starting a cluster")
    List<HostPort> endpoints;

    @Option(names = "--connect", paramLabel = "HOST:PORT", converter = Converters.HostPorts.class,
            description = "join this node's cluster as a client-only node instead of starting one")
    HostPort connect;

    @Option(names = "--stores", split = ",", paramLabel = "ID",
            description = "with --connect: the stores asked first where regions are (default: 1,2,3)")
    List<Long> stores;

    @Option(names = "--host", paramLabel = "HOST",
            description = "with --connect: this client node's address the cluster can reach (default: 127.0.0.1)")
    String host;

    @Option(names = "--nodes", paramLabel = "N", description = "the in-process cluster's size, 1 to 9 (default: 3)")
    Integer nodes;

    @Option(names = "--data", paramLabel = "DIR",
            description = "the in-process cluster's data (default: a temporary directory, removed afterwards)")
    Path data;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "distinct keys (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "256", description = "(default: ${DEFAULT-VALUE})")
    int valueSize;

    @Option(names = "--concurrency", split = ",", paramLabel = "N", defaultValue = "1,64,256",
            description = "requests kept in flight, one phase each (default: ${DEFAULT-VALUE})")
    List<Long> concurrency = new ArrayList<>();

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s", converter = Converters.Durations.class,
            description = "unmeasured time before each phase (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "15s", converter = Converters.Durations.class,
            description = "measured time of each phase (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--regions", paramLabel = "N", defaultValue = "1",
            description = {"split the keys evenly into N regions and spread their leaders over the stores",
                "before measuring (default: ${DEFAULT-VALUE}: the cluster as it is)"})
    int regions;

    @Spec
    CommandSpec spec;

    @ParentCommand
    RegionKvCommand parent;

    /** The options, checked. */
    BenchOptions options() {
        Checks c = new Checks(spec.commandLine());
        if (endpoints != null && (connect != null || data != null || nodes != null || stores != null || host != null)) {
            throw c.fail("--endpoints calls running nodes over gRPC; it cannot be used with --connect, --data, "
                    + "--nodes, --stores or --host");
        }
        if (connect != null && data != null) {
            throw c.fail("--data is for the in-process cluster; it cannot be used with --connect");
        }
        if (connect != null && nodes != null) {
            throw c.fail("--nodes is for the in-process cluster; it cannot be used with --connect");
        }
        if (connect == null && (stores != null || host != null)) {
            throw c.fail((stores != null ? "--stores" : "--host")
                    + " is for --connect; the in-process cluster runs on 127.0.0.1 with stores 1..N");
        }
        int n = nodes == null ? 3 : c.inRange("--nodes", nodes, 1, 9);
        c.inRange("--keys", keys, 1, BenchOptions.MAX_KEYS);
        c.inRange("--value-size", valueSize, 0, 128 * 1024);
        List<Integer> levels = new ArrayList<>();
        for (long level : c.positiveDistinct("--concurrency", concurrency)) {
            if (level > 100_000) throw c.fail("--concurrency values must be at most 100000, got " + level);
            levels.add((int) level);
        }
        if (duration.isZero()) throw c.fail("--duration must be more than zero");
        c.inRange("--regions", regions, 1, keys);
        return new BenchOptions(connect, host == null ? "127.0.0.1" : host,
                stores == null ? List.of(1L, 2L, 3L) : c.positiveDistinct("--stores", stores), data, n, keys, valueSize,
                levels, warmup, duration, endpoints == null ? List.of() : endpoints, regions);
    }

    @Override
    public Integer call() {
        return BenchCommand.run(options(), parent.out, parent.err);
    }
}
