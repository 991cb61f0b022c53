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
 */
record ServerOptions(long storeId, Path data, String host, int port, List<CliArgs.HostPort> seeds,
        List<Long> initialStores) {

    static final String USAGE = "usage: regionkv server --store-id N --data DIR [--host HOST] [--port P]"
            + " [--seed HOST:PORT ...] [--initial-stores 1,2,3]";

    static ServerOptions parse(String[] argv) throws UsageException {
        CliArgs args = new CliArgs(argv);
        long storeId = 0;
        Path data = null;
        String host = "127.0.0.1";
        int port = 0;
        List<CliArgs.HostPort> seeds = new ArrayList<>();
        List<Long> initial = null;
        while (args.hasNext()) {
            String option = args.option();
            switch (option) {
                case "--store-id" -> storeId = args.positiveLong(option);
                case "--data" -> data = Path.of(args.value(option, "a directory"));
                case "--host" -> host = args.value(option, "a host name or address");
                case "--port" -> port = args.intInRange(option, 1, 65535);
                case "--seed" -> seeds.add(args.hostPort(option));
                case "--initial-stores" -> initial = args.positiveLongs(option);
                default -> throw new UsageException("unknown option '" + option + "'");
            }
        }
        if (storeId == 0) throw new UsageException("--store-id is required");
        if (data == null) throw new UsageException("--data is required");
        if (initial == null) initial = seeds.isEmpty() ? List.of(storeId) : List.of();
        return new ServerOptions(storeId, data, host, port, List.copyOf(seeds), List.copyOf(initial));
    }
}
