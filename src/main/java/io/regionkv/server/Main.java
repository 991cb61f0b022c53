package io.regionkv.server;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code regionkv} command line. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            printUsage(out);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "local":
                return LocalCommand.run(rest, System.in, out, err);
            case "server":
                return ServerCommand.run(rest, out, err);
            case "bench":
                return BenchCommand.run(rest, out, err);
            default:
                err.println("regionkv: unknown command '" + args[0] + "'");
                printUsage(err);
                return 2;
        }
    }

    private static void printUsage(PrintStream out) {
        out.println("usage: regionkv <command> [options]");
        out.println("  local [--nodes N] [--data DIR]   a local cluster in one process, commands on stdin");
        out.println("  server --store-id N --data DIR [--host HOST] [--port P] [--seed HOST:PORT ...]");
        out.println("         [--initial-stores 1,2,3]  one node of a cluster; runs until SIGTERM or SIGINT");
        out.println("  bench [--connect HOST:PORT [--stores 1,2,3] [--host HOST]] [--nodes N] [--data DIR]");
        out.println("        [--keys N] [--value-size BYTES] [--concurrency 1,64,256] [--warmup 5s] [--duration 15s]");
        out.println("                                   end-to-end throughput and latency of puts and gets");
    }
}
