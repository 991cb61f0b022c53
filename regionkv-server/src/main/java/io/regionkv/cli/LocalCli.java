package io.regionkv.cli;

import io.regionkv.server.LocalCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"A cluster of N nodes in this process, driven by commands on standard input.",
            "Commands: put, get, delete, scan, status; help lists them."})
final class LocalCli implements Callable<Integer> {

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "1 to 9 (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "where the nodes keep their data across runs (default: ./${DEFAULT-VALUE})")
    Path data;

    @Spec
    CommandSpec spec;

    @ParentCommand
    RegionKvCommand parent;

    @Override
    public Integer call() {
        new Checks(spec.commandLine()).inRange("--nodes", nodes, 1, 9);
        return LocalCommand.run(nodes, data, System.in, parent.out, parent.err);
    }
}
