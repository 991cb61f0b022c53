package io.regionkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.server.BenchOptions;
import io.regionkv.server.HostPort;
import io.regionkv.server.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The options of {@code regionkv server}, {@code bench} and {@code local}: bad ones exit with 2, the reason
 * and the usage on standard error, nothing run; good ones read as they say.
 */
class RunCommandsArgsTest {

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(String expectedMessage, String... args) {
        Outcome o = run(args);
        assertEquals(2, o.code(), "exit code of " + List.of(args) + "; stderr: " + o.err());
        assertTrue(o.err().contains(expectedMessage), "stderr of " + List.of(args) + " should say '" + expectedMessage
                + "' but was: " + o.err());
        assertTrue(o.err().contains("Usage: regionkv " + args[0]), "usage printed: " + o.err());
        assertEquals("", o.out(), "nothing on stdout");
    }

    @Test
    void serverRejectsBadArguments() {
        assertUsageError("Missing required option: '--store-id=N'", "server", "--data", "/tmp/x");
        assertUsageError("Missing required option: '--data=DIR'", "server", "--store-id", "1");
        assertUsageError("--store-id must be > 0, got 0", "server", "--store-id", "0", "--data", "d");
        assertUsageError("Invalid value for option '--store-id': 'one' is not a long", "server", "--store-id", "one", "--data", "d");
        assertUsageError("Missing required parameter for option '--store-id'", "server", "--data", "d", "--store-id");
        assertUsageError("--port must be between 1 and 65535, got 70000", "server", "--store-id", "1", "--data", "d",
                "--port", "70000");
        assertUsageError("--grpc-port must be between 0 and 65535, got -1", "server", "--store-id", "1", "--data", "d",
                "--grpc-port", "-1");
        assertUsageError("needs HOST:PORT, got 'localhost'", "server", "--store-id", "1", "--data", "d",
                "--seed", "localhost");
        assertUsageError("needs a port between 1 and 65535, got 'h:0'", "server", "--store-id", "1", "--data",
                "d", "--seed", "h:0");
        assertUsageError("--initial-stores takes positive numbers only, got -2", "server", "--store-id", "1",
                "--data", "d", "--initial-stores", "1,-2");
        assertUsageError("--initial-stores names 2 twice", "server", "--store-id", "1", "--data", "d",
                "--initial-stores", "1,2,2");
        assertUsageError("Unknown option: '--frobnicate'", "server", "--store-id", "1", "--data", "d", "--frobnicate");
    }

    @Test
    void benchRejectsBadArguments() {
        assertUsageError("needs a duration with a unit ms, s or m, got '15'", "bench", "--duration", "15");
        assertUsageError("needs a duration such as 500ms, 15s or 2m, got 'soon'", "bench", "--warmup", "soon");
        assertUsageError("--duration must be more than zero", "bench", "--duration", "0s");
        assertUsageError("--concurrency takes positive numbers only, got 0", "bench", "--concurrency", "1,0");
        assertUsageError("Invalid value for option '--concurrency' (N): '' is not a long", "bench", "--concurrency", "1,,2");
        assertUsageError("--keys must be between 1 and 100000000, got 0", "bench", "--keys", "0");
        assertUsageError("--value-size must be between 0 and 131072, got 200000", "bench", "--value-size", "200000");
        assertUsageError("needs HOST:PORT, got 'nowhere'", "bench", "--connect", "nowhere");
        assertUsageError("--data is for the in-process cluster", "bench", "--connect", "h:1", "--data", "d");
        assertUsageError("--nodes is for the in-process cluster", "bench", "--connect", "h:1", "--nodes", "3");
        assertUsageError("--stores is for --connect", "bench", "--stores", "1,2");
        assertUsageError("Unmatched argument at index 1: 'extra'", "bench", "extra");
    }

    @Test
    void localRejectsBadArguments() {
        assertUsageError("--nodes must be between 1 and 9, got 10", "local", "--nodes", "10");
        assertUsageError("'x' is not an int", "local", "--nodes", "x");
        assertUsageError("--endpoints calls running nodes over gRPC", "bench", "--endpoints", "127.0.0.1:1",
                "--connect", "127.0.0.1:2");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("server", "local", "bench", "put", "get", "delete", "scan", "regions", "stores", "split", "tso")) {
            Outcome o = run(command, "--help");
            assertEquals(0, o.code(), command);
            assertTrue(o.out().startsWith("Usage: regionkv " + command), command + ": " + o.out());
        }
        assertTrue(run("server", "--help").out().contains("--grpc-port"));
        Outcome version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("regionkv "), version.out());
    }

    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine cli = Main.commandLine(System.out, System.err);
        CommandLine.ParseResult result = cli.parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    @Test
    void goodArgumentsReadToWhatTheySay() {
        ServerOptions s = parsed(ServerCli.class, "server", "--store-id", "2", "--data", "d2", "--port", "25521",
                "--seed", "10.0.0.1:25520", "--seed", "10.0.0.3:25520", "--initial-stores", "1,2,3",
                "--grpc-port", "0").options();
        assertEquals(2, s.storeId());
        assertEquals(Path.of("d2"), s.data());
        assertEquals("127.0.0.1", s.host());
        assertEquals(25521, s.port());
        assertEquals(List.of(new HostPort("10.0.0.1", 25520), new HostPort("10.0.0.3", 25520)), s.seeds());
        assertEquals(List.of(1L, 2L, 3L), s.initialStores());
        assertEquals(0, s.grpcPort());
        assertEquals(ServerOptions.DEFAULT_HTTP_PORT, s.httpPort());
        ServerOptions d = parsed(ServerCli.class, "server", "--store-id", "7", "--data", "d").options();
        assertEquals(0, d.port(), "the configuration's port");
        assertEquals(ServerOptions.DEFAULT_GRPC_PORT, d.grpcPort());
        // Without seeds the node starts a cluster of its own, so its store holds the first region alone.
        assertEquals(List.of(7L), d.initialStores());
        assertEquals(List.of(), parsed(ServerCli.class, "server", "--store-id", "7", "--data", "d", "--seed", "h:1")
                .options().initialStores());

        BenchOptions b0 = parsed(BenchCli.class, "bench").options();
        assertEquals(List.of(1, 64, 256), b0.concurrency());
        assertEquals(100_000, b0.keys());
        assertEquals(256, b0.valueSize());
        assertEquals(Duration.ofSeconds(5), b0.warmup());
        assertEquals(Duration.ofSeconds(15), b0.duration());
        assertEquals(3, b0.nodes());
        assertNull(b0.connect());
        BenchOptions b = parsed(BenchCli.class, "bench", "--connect", "h:7355", "--stores", "4,5", "--warmup", "500ms",
                "--duration", "2m", "--concurrency", "8").options();
        assertEquals(new HostPort("h", 7355), b.connect());
        assertEquals(List.of(4L, 5L), b.stores());
        assertEquals(Duration.ofMillis(500), b.warmup());
        assertEquals(Duration.ofMinutes(2), b.duration());
        assertEquals(List.of(8), b.concurrency());
    }
}
