package io.regionkv.cli;

import io.regionkv.server.LocalCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"A cluster of N nodes in this process, driven by commands on standard input.",
            "Commands: put, get, delete, scan, status; help lists them.",
            "  --nodes N    how many nodes, 1 to 9 (default 3)",
            "  --data DIR   where the nodes keep their data across runs (default ./data)"})
final class LocalCli extends PassThrough implements Callable<Integer> {

    @Override
    public Integer call() {
        return LocalCommand.run(argv(), System.in, parent.out, parent.err);
    }
}
