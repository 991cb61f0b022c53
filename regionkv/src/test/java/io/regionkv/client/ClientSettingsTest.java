package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

    @Test
    void referenceConfHoldsTheDocumentedDefaults() {
        ClientSettings s = ClientSettings.fromConfig(ConfigFactory.load().getConfig(ClientSettings.CONFIG_PATH));
        assertEquals(ClientSettings.defaults(), s);
        assertEquals(Duration.ofSeconds(10), s.requestTimeout());
        assertEquals(Duration.ofMillis(20), s.backoffBase());
        assertEquals(Duration.ofSeconds(1), s.backoffMax());
        assertEquals(List.of(), s.initialStores());
        assertEquals(Duration.ofSeconds(2), s.attemptTimeoutForReads());
        assertEquals(256, s.maxInFlightPerStore());
        assertEquals(50_000, s.maxQueuedPerStore());
    }

    @Test
    void overridesAreRead() {
        ClientSettings s = ClientSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.client { request-timeout = 3s, initial-stores = [1, 2] }")
                .withFallback(ConfigFactory.load()).getConfig(ClientSettings.CONFIG_PATH));
        assertEquals(Duration.ofSeconds(3), s.requestTimeout());
        assertEquals(List.of(1L, 2L), s.initialStores());
    }

    @Test
    void nonsenseIsRefused() {
        ClientSettings d = ClientSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withRequestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> d.withInitialStores(List.of(0L)));
        assertThrows(IllegalArgumentException.class, () -> d.withAttemptTimeoutForReads(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withWindow(0, 10));
        assertThrows(IllegalArgumentException.class, () -> d.withWindow(1, -1));
    }
}
