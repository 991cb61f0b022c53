package io.regionkv.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: only dispatches to its subcommands; alone it prints the usage. */
@Command(name = "regionkv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A multi-raft key-value store: run a node, or talk to a running cluster over gRPC.",
        subcommands = {PutCommand.class, GetCommand.class, DeleteCommand.class, ScanCommand.class,
            RegionsCommand.class, StoresCommand.class, SplitCommand.class, TimestampCommand.class,
            TransferLeaderCommand.class, AddPeerCommand.class, RemovePeerCommand.class, ServerCli.class, LocalCli.class, BenchCli.class})
final class RegionKvCommand implements Callable<Integer> {

    /** The streams given to {@link Main#run}: the in-process commands print through them. */
    final PrintStream out;
    final PrintStream err;

    @Spec
    CommandSpec spec;

    RegionKvCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
