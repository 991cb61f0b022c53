package io.regionkv.store;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the store restarts a peer that stopped unexpectedly (see reference.conf, {@code regionkv.supervision}).
 * Read by the store from its actor system's configuration, so that adding them touched no other setting.
 *
 * @param restartBackoffMin the delay before the first restart of a peer
 * @param restartBackoffMax the delay doubles per consecutive restart up to this, so a crash loop costs little CPU
 * @param stableAfter a peer that ran this long before it stopped starts over at the minimum delay
 */
record SupervisionSettings(Duration restartBackoffMin, Duration restartBackoffMax, Duration stableAfter) {

    SupervisionSettings {
        if (restartBackoffMin.isNegative() || restartBackoffMax.compareTo(restartBackoffMin) < 0) {
            throw new IllegalArgumentException("regionkv.supervision: need 0 <= restart-backoff-min <= restart-backoff-max, got "
                    + restartBackoffMin + " and " + restartBackoffMax);
        }
    }

    static SupervisionSettings fromConfig(Config root) {
        Config c = root.getConfig("regionkv.supervision");
        return new SupervisionSettings(c.getDuration("restart-backoff-min"), c.getDuration("restart-backoff-max"),
                c.getDuration("stable-after"));
    }

    /** The delay before restart number {@code n} (1 for the first) of a peer that keeps failing. */
    Duration backoff(int n) {
        Duration d = restartBackoffMin;
        for (int i = 1; i < n && d.compareTo(restartBackoffMax) < 0; i++) {
            d = d.isZero() ? Duration.ofMillis(1) : d.multipliedBy(2);
        }
        return d.compareTo(restartBackoffMax) > 0 ? restartBackoffMax : d;
    }
}
