package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad command lines of {@code regionkv server} and {@code regionkv bench}: exit code 2, a message, nothing run. */
class CommandLineArgsTest {

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.regionkv.cli.Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(String expectedMessage, String... args) {
        Outcome o = run(args);
        assertEquals(2, o.code(), "exit code of " + List.of(args) + "; stderr: " + o.err());
        assertTrue(o.err().contains(expectedMessage), "stderr of " + List.of(args) + " should say '" + expectedMessage
                + "' but was: " + o.err());
        assertTrue(o.err().contains("usage: regionkv " + args[0]), "usage printed: " + o.err());
        assertEquals("", o.out(), "nothing on stdout");
    }

    @Test
    void serverRejectsBadArguments() {
        assertUsageError("--store-id is required", "server", "--data", "/tmp/x");
        assertUsageError("--data is required", "server", "--store-id", "1");
        assertUsageError("--store-id must be > 0, got 0", "server", "--store-id", "0", "--data", "d");
        assertUsageError("--store-id needs a number, got 'one'", "server", "--store-id", "one", "--data", "d");
        assertUsageError("--store-id needs a positive number", "server", "--data", "d", "--store-id");
        assertUsageError("--port must be between 1 and 65535, got 70000", "server", "--store-id", "1", "--data", "d",
                "--port", "70000");
        assertUsageError("--seed needs HOST:PORT, got 'localhost'", "server", "--store-id", "1", "--data", "d",
                "--seed", "localhost");
        assertUsageError("--seed needs a port between 1 and 65535, got 'h:0'", "server", "--store-id", "1", "--data",
                "d", "--seed", "h:0");
        assertUsageError("--initial-stores takes positive numbers only, got -2", "server", "--store-id", "1",
                "--data", "d", "--initial-stores", "1,-2");
        assertUsageError("--initial-stores names 2 twice", "server", "--store-id", "1", "--data", "d",
                "--initial-stores", "1,2,2");
        assertUsageError("unknown option '--frobnicate'", "server", "--frobnicate");
    }

    @Test
    void benchRejectsBadArguments() {
        assertUsageError("--duration needs a duration with a unit ms, s or m, got '15'", "bench", "--duration", "15");
        assertUsageError("--warmup needs a duration such as 500ms, 15s or 2m, got 'soon'", "bench", "--warmup", "soon");
        assertUsageError("--duration must be more than zero", "bench", "--duration", "0s");
        assertUsageError("--concurrency takes positive numbers only, got 0", "bench", "--concurrency", "1,0");
        assertUsageError("--concurrency needs a number, got ''", "bench", "--concurrency", "1,,2");
        assertUsageError("--keys must be between 1 and 100000000, got 0", "bench", "--keys", "0");
        assertUsageError("--value-size must be between 0 and 131072, got 200000", "bench", "--value-size", "200000");
        assertUsageError("--connect needs HOST:PORT, got 'nowhere'", "bench", "--connect", "nowhere");
        assertUsageError("--data is for the in-process cluster", "bench", "--connect", "h:1", "--data", "d");
        assertUsageError("--nodes is for the in-process cluster", "bench", "--connect", "h:1", "--nodes", "3");
        assertUsageError("--stores is for --connect", "bench", "--stores", "1,2");
        assertUsageError("unknown option 'extra'", "bench", "extra");
    }

    @Test
    void goodArgumentsParseToWhatTheySay() throws UsageException {
        ServerOptions s = ServerOptions.parse(new String[] {"--store-id", "2", "--data", "d2", "--port", "25521",
                "--seed", "10.0.0.1:25520", "--seed", "10.0.0.3:25520", "--initial-stores", "1,2,3"});
        assertEquals(2, s.storeId());
        assertEquals(Path.of("d2"), s.data());
        assertEquals("127.0.0.1", s.host());
        assertEquals(25521, s.port());
        assertEquals(List.of(new CliArgs.HostPort("10.0.0.1", 25520), new CliArgs.HostPort("10.0.0.3", 25520)),
                s.seeds());
        assertEquals(List.of(1L, 2L, 3L), s.initialStores());
        // Without seeds the node starts a cluster of its own, so its store holds the first region alone.
        assertEquals(List.of(7L), ServerOptions.parse(new String[] {"--store-id", "7", "--data", "d"}).initialStores());
        assertEquals(List.of(), ServerOptions.parse(new String[] {"--store-id", "7", "--data", "d", "--seed", "h:1"})
                .initialStores());

        BenchOptions d = BenchOptions.parse(new String[0]);
        assertEquals(List.of(1, 64, 256), d.concurrency());
        assertEquals(100_000, d.keys());
        assertEquals(256, d.valueSize());
        assertEquals(Duration.ofSeconds(5), d.warmup());
        assertEquals(Duration.ofSeconds(15), d.duration());
        assertEquals(3, d.nodes());
        BenchOptions b = BenchOptions.parse(new String[] {"--connect", "h:7355", "--stores", "4,5", "--warmup", "500ms",
                "--duration", "2m", "--concurrency", "8"});
        assertEquals(new CliArgs.HostPort("h", 7355), b.connect());
        assertEquals(List.of(4L, 5L), b.stores());
        assertEquals(Duration.ofMillis(500), b.warmup());
        assertEquals(Duration.ofMinutes(2), b.duration());
        assertEquals(List.of(8), b.concurrency());
    }
}
