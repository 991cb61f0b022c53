package io.regionkv.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The {@code regionkv} command line: one picocli parser for the commands against a running cluster
 * ({@code put}, {@code get}, {@code delete}, {@code scan}, {@code regions}, {@code stores}, over gRPC) and
 * for running one ({@code server}, {@code local}, {@code bench}).
 *
 * <p>Exit status: 0 on success; 1 when the command ran and failed ({@code ERR <reason>} on standard
 * error); 2 for bad usage (the reason and the usage on standard error).
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err);
        return cli.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new RegionKvCommand(out, err));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            // Commands answer their own failures; what gets here is unexpected, but still one line.
            commandLine.getErr().println("ERR " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return cli;
    }
}
