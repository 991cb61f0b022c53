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
            default:
                err.println("regionkv: unknown command '" + args[0] + "'");
                printUsage(err);
                return 2;
        }
    }

    private static void printUsage(PrintStream out) {
        out.println("usage: regionkv <command> [options]");
        out.println("  local [--nodes N] [--data DIR]   a local cluster in one process, commands on stdin");
    }
}
