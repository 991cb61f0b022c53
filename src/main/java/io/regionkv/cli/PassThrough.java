package io.regionkv.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The arguments of a command that reads its own options ({@code server}, {@code local}, {@code bench}):
 * picocli dispatches to it and answers {@code --help}, and the command's own parser, with its checks and
 * messages, reads the rest. Those parsers predate picocli and are tested option by option
 * ({@code CommandLineArgsTest}).
 */
abstract class PassThrough {

    @Parameters(arity = "0..*", paramLabel = "OPTION", hidden = true)
    List<String> args = new ArrayList<>();

    @ParentCommand
    RegionKvCommand parent;

    String[] argv() {
        return args.toArray(String[]::new);
    }
}
