package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code regionkv server} downs unreachable members with the Split Brain Resolver (keep-majority) and
 * retries joins quickly, from the {@code regionkv.server} settings; an operator's values win.
 */
class ServerMembershipSettingsTest {

    private static final ServerOptions OPTIONS =
            new ServerOptions(1, Path.of("unused"), "127.0.0.1", 0, List.of(), List.of(1L));

    @Test
    void aServerDownsWithKeepMajorityAndRetriesJoinsQuickly() {
        Config c = ServerCommand.config(OPTIONS, ConfigFactory.load());
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                c.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofSeconds(5), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(Duration.ofMillis(300), c.getDuration("pekko.cluster.retry-unsuccessful-join-after"));
        assertEquals(Duration.ofSeconds(5), c.getDuration("pekko.cluster.seed-node-timeout"),
                "a node that may form a cluster waits the full timeout for the others first");
    }

    @Test
    void aServerTicksItsMembershipAndStoreRegistryOftenSoThatARestartedNodeIsBackSoon() {
        Config c = ServerCommand.config(OPTIONS, ConfigFactory.load());
        assertEquals(Duration.ofMillis(250), c.getDuration("pekko.cluster.leader-actions-interval"));
        assertEquals(Duration.ofMillis(250), c.getDuration("pekko.cluster.gossip-interval"));
        assertEquals(Duration.ofMillis(500),
                c.getDuration("pekko.cluster.typed.receptionist.distributed-data.gossip-interval"));
        assertEquals(Duration.ofMillis(50),
                c.getDuration("pekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval"));
    }

    @Test
    void anIdleServersTimerThreadWakesEvery20msNotPekkos10() {
        Config c = ServerCommand.config(OPTIONS, ConfigFactory.load());
        assertEquals(Duration.ofMillis(20), c.getDuration("pekko.scheduler.tick-duration"));
        Config mine = ServerCommand.config(OPTIONS,
                ConfigFactory.parseString("regionkv.server.scheduler-tick = 5ms").withFallback(ConfigFactory.load()));
        assertEquals(Duration.ofMillis(5), mine.getDuration("pekko.scheduler.tick-duration"));
    }

    @Test
    void aNodeThatCannotFormAClusterAsksItsSeedsAgainEveryHalfSecond() {
        ServerOptions joiner = new ServerOptions(2, Path.of("unused"), "127.0.0.1", 25582,
                List.of(new HostPort("127.0.0.1", 25581)), List.of(1L, 2L));
        assertEquals(Duration.ofMillis(500),
                ServerCommand.config(joiner, ConfigFactory.load()).getDuration("pekko.cluster.seed-node-timeout"));
        ServerOptions firstSeed = new ServerOptions(1, Path.of("unused"), "127.0.0.1", 25581,
                List.of(new HostPort("127.0.0.1", 25581)), List.of(1L, 2L));
        assertEquals(Duration.ofSeconds(5),
                ServerCommand.config(firstSeed, ConfigFactory.load()).getDuration("pekko.cluster.seed-node-timeout"));
    }

    @Test
    void theOperatorsRegionkvServerSettingsWin() {
        Config base = ConfigFactory.parseString("""
                regionkv.server.downing-strategy = keep-oldest
                regionkv.server.downing-stable-after = 20s
                regionkv.server.retry-join-after = 3s
                regionkv.server.seed-node-timeout = 4s
                regionkv.server.join-retry-interval = 2s
                regionkv.server.membership-tick = 1s
                """).withFallback(ConfigFactory.load());
        Config c = ServerCommand.config(OPTIONS, base);
        assertEquals("keep-oldest", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofSeconds(20), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(Duration.ofSeconds(3), c.getDuration("pekko.cluster.retry-unsuccessful-join-after"));
        assertEquals(Duration.ofSeconds(4), c.getDuration("pekko.cluster.seed-node-timeout"));
        assertEquals(Duration.ofSeconds(1), c.getDuration("pekko.cluster.leader-actions-interval"));
    }
}
