package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code regionkv.server.one-pool = on} a {@code regionkv server} node runs Pekko's internal actors and
 * Artery on its default pool, sized to the cores, with one inbound lane (the default); off keeps Pekko's pools.
 */
class ServerThreadPoolSettingsTest {

    private static final ServerOptions OPTIONS =
            new ServerOptions(1, Path.of("unused"), "127.0.0.1", 0, List.of(), List.of(1L));

    @Test
    void onByDefaultRunsOnePoolSizedToTheCores() {
        Config c = ServerCommand.config(OPTIONS, ConfigFactory.load());
        // A string names another dispatcher: Pekko's dispatcher alias, so both share one pool.
        assertEquals("pekko.actor.default-dispatcher", c.getString("pekko.actor.internal-dispatcher"));
        assertEquals("pekko.actor.default-dispatcher", c.getString("pekko.remote.artery.advanced.use-dispatcher"));
        assertEquals(1.0, c.getDouble("pekko.actor.default-dispatcher.fork-join-executor.parallelism-factor"));
        assertEquals(2, c.getInt("pekko.actor.default-dispatcher.fork-join-executor.parallelism-min"));
        assertEquals(1, c.getInt("pekko.remote.artery.advanced.inbound-lanes"));
    }

    /** The in-process nodes of {@code regionkv local} and {@code regionkv bench} share the cores and one lane each. */
    @Test
    void inProcessNodesShareTheCoresWithOneInboundLaneEach() {
        Config c = LocalCluster.sharedCoresConfig(4).withFallback(ConfigFactory.load());
        assertEquals(1, c.getInt("pekko.remote.artery.advanced.inbound-lanes"));
        assertEquals(0.25, c.getDouble("pekko.actor.default-dispatcher.fork-join-executor.parallelism-factor"));
        assertEquals("pekko.actor.default-dispatcher", c.getString("pekko.actor.internal-dispatcher"));
    }

    /** Pekko's 3,072 dropped messages under 20,000 requests in flight (BENCHMARKS.md), so clients timed out. */
    @Test
    void serverAndInProcessNodesQueueTwentyThousandMessagesPerPeer() {
        String queue = "pekko.remote.artery.advanced.outbound-message-queue-size";
        assertEquals(20000, ServerCommand.config(OPTIONS, ConfigFactory.load()).getInt(queue));
        assertEquals(20000, LocalCluster.nodeConfig(ConfigFactory.load(), 1, Path.of("unused"), List.of(1L)).getInt(queue));
        Config smaller = ConfigFactory.parseString("regionkv.server.outbound-message-queue-size = 5000")
                .withFallback(ConfigFactory.load());
        assertEquals(5000, ServerCommand.config(OPTIONS, smaller).getInt(queue));
    }

    @Test
    void offKeepsPekkosPools() {
        Config base = ConfigFactory.parseString("regionkv.server.one-pool = off").withFallback(ConfigFactory.load());
        Config c = ServerCommand.config(OPTIONS, base);
        assertEquals("pekko.remote.default-remote-dispatcher", c.getString("pekko.remote.artery.advanced.use-dispatcher"));
        assertEquals(4, c.getInt("pekko.remote.artery.advanced.inbound-lanes"));
        assertEquals(8, c.getInt("pekko.actor.default-dispatcher.fork-join-executor.parallelism-min"));
    }
}
