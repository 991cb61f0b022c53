package io.regionkv.server;

/**
 * The former entry point, kept so that scripts and tests that start {@code io.regionkv.server.Main} go on
 * working: the command line now lives in {@link io.regionkv.cli.Main}.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        io.regionkv.cli.Main.main(args);
    }
}
