package io.regionkv.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code regionkv bench} was asked to measure, and against what.
 *
 * @param connect     an existing cluster to join as a client-only node; null starts {@code nodes} nodes in
 *                    this process
 * @param data        where the in-process cluster keeps its data; null: a fresh temporary directory,
 *                    removed afterwards
 * @param host        with {@code connect}, the address of this client node that the cluster can reach
 * @param stores      with {@code connect}, the stores asked first where regions are
 */
record BenchOptions(CliArgs.HostPort connect, String host, List<Long> stores, Path data, int nodes, int keys, int valueSize,
        List<Integer> concurrency, Duration warmup, Duration duration) {

    static final String USAGE = String.join("\n",
            "usage: regionkv bench [--connect HOST:PORT [--stores 1,2,3] [--host HOST]]",
            "                      [--nodes N] [--data DIR]",
            "                      [--keys N] [--value-size BYTES] [--concurrency 1,64,256]",
            "                      [--warmup 5s] [--duration 15s]");

    /** Keys are 16 bytes: {@code k} and 15 decimal digits. */
    static final int MAX_KEYS = 100_000_000;

    static BenchOptions parse(String[] argv) throws UsageException {
        CliArgs args = new CliArgs(argv);
        CliArgs.HostPort connect = null;
        String host = null;
        boolean nodesGiven = false;
        List<Long> stores = null;
        Path data = null;
        int nodes = 3;
        int keys = 100_000;
        int valueSize = 256;
        List<Integer> concurrency = List.of(1, 64, 256);
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(15);
        while (args.hasNext()) {
            String option = args.option();
            switch (option) {
                case "--connect" -> connect = args.hostPort(option);
                case "--host" -> host = args.value(option, "a host name or address");
                case "--stores" -> stores = args.positiveLongs(option);
                case "--data" -> data = Path.of(args.value(option, "a directory"));
                case "--nodes" -> {
                    nodes = args.intInRange(option, 1, 9);
                    nodesGiven = true;
                }
                case "--keys" -> keys = args.intInRange(option, 1, MAX_KEYS);
                case "--value-size" -> valueSize = args.intInRange(option, 0, 128 * 1024);
                case "--concurrency" -> {
                    concurrency = new ArrayList<>();
                    for (long c : args.positiveLongs(option)) {
                        if (c > 100_000) throw new UsageException(option + " values must be at most 100000, got " + c);
                        concurrency.add((int) c);
                    }
                }
                case "--warmup" -> warmup = args.duration(option);
                case "--duration" -> {
                    duration = args.duration(option);
                    if (duration.isZero()) throw new UsageException("--duration must be more than zero");
                }
                default -> throw new UsageException("unknown option '" + option + "'");
            }
        }
        if (connect != null && data != null) {
            throw new UsageException("--data is for the in-process cluster; it cannot be used with --connect");
        }
        if (connect != null && nodesGiven) {
            throw new UsageException("--nodes is for the in-process cluster; it cannot be used with --connect");
        }
        if (connect == null && (stores != null || host != null)) {
            throw new UsageException((stores != null ? "--stores" : "--host")
                    + " is for --connect; the in-process cluster runs on 127.0.0.1 with stores 1..N");
        }
        if (host == null) host = "127.0.0.1";
        if (stores == null) stores = List.of(1L, 2L, 3L);
        return new BenchOptions(connect, host, List.copyOf(stores), data, nodes, keys, valueSize, List.copyOf(concurrency),
                warmup, duration);
    }
}
