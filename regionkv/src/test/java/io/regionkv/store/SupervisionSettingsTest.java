package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The restart backoff of a failing peer: doubles per restart in a row, capped, from reference.conf. */
class SupervisionSettingsTest {

    @Test
    void theBackoffDoublesUpToItsCap() {
        SupervisionSettings s = new SupervisionSettings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertEquals(Duration.ofMillis(100), s.backoff(1));
        assertEquals(Duration.ofMillis(200), s.backoff(2));
        assertEquals(Duration.ofMillis(800), s.backoff(4));
        assertEquals(Duration.ofSeconds(1), s.backoff(5));
        assertEquals(Duration.ofSeconds(1), s.backoff(1_000_000));
    }

    @Test
    void theDefaultsComeFromReferenceConf() {
        SupervisionSettings s = SupervisionSettings.fromConfig(ConfigFactory.load());
        assertEquals(Duration.ofMillis(100), s.restartBackoffMin());
        assertEquals(Duration.ofSeconds(10), s.restartBackoffMax());
        FlowControlSettings f = FlowControlSettings.fromConfig(ConfigFactory.load());
        assertEquals(4096, f.maxProposalsPerPeer());
    }

    @Test
    void aMaximumBelowTheMinimumIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new SupervisionSettings(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO));
    }
}
