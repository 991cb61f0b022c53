package io.regionkv.client;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * How patient the {@link RegionKvClient} is and whom it asks first. Read from {@code regionkv.client}
 * in the Pekko configuration (defaults and documentation in reference.conf).
 *
 * @param requestTimeout         the whole budget of one operation, all retries included
 * @param backoffBase            the first retry delay; it doubles per retry, with jitter
 * @param backoffMax             the ceiling of the retry delay
 * @param initialStores          store ids asked first for region look-ups; after them the client asks
 *                               stores named by cached regions, then those this node's
 *                               {@link io.regionkv.transport.StoreDirectory} knows
 * @param attemptTimeoutForReads how long one read attempt may wait before the read is tried elsewhere
 * @param busyBudget             how long an operation keeps retrying after its first ServerIsBusy before it
 *                               fails with {@link RegionKvBusyException}
 * @param maxInFlightPerStore    how many commands the client has outstanding at one store at most; the
 *                               rest wait in the client, in order ({@link StoreWindow})
 * @param maxQueuedPerStore      how many commands may wait so per store; past it a command fails at once
 *                               with {@link RegionKvBusyException}
 */
public record ClientSettings(Duration requestTimeout, Duration backoffBase, Duration backoffMax,
        List<Long> initialStores, Duration attemptTimeoutForReads, Duration busyBudget, int maxInFlightPerStore,
        int maxQueuedPerStore) {

    public static final String CONFIG_PATH = "regionkv.client";
    static final int DEFAULT_MAX_IN_FLIGHT_PER_STORE = 256;

    public ClientSettings {
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("backoffBase", backoffBase);
        requirePositive("backoffMax", backoffMax);
        requirePositive("attemptTimeoutForReads", attemptTimeoutForReads);
        requirePositive("busyBudget", busyBudget);
        if (maxInFlightPerStore <= 0) {
            throw new IllegalArgumentException("maxInFlightPerStore must be > 0, was " + maxInFlightPerStore);
        }
        if (maxQueuedPerStore < 0) {
            throw new IllegalArgumentException("maxQueuedPerStore must be >= 0, was " + maxQueuedPerStore);
        }
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffMax (" + backoffMax + ") must be >= backoffBase ("
                    + backoffBase + ")");
        }
        if (initialStores == null) {
            throw new IllegalArgumentException("initialStores must not be null (use an empty list)");
        }
        for (Long id : initialStores) {
            if (id == null || id <= 0) {
                throw new IllegalArgumentException("initialStores holds an invalid store id: " + id);
            }
        }
        initialStores = List.copyOf(initialStores);
    }

    /** The library defaults, without reading any configuration. */
    public static ClientSettings defaults() {
        return new ClientSettings(Duration.ofSeconds(10), Duration.ofMillis(20), Duration.ofSeconds(1), List.of(),
                Duration.ofSeconds(2), Duration.ofSeconds(2), DEFAULT_MAX_IN_FLIGHT_PER_STORE, 50_000);
    }

    /** Reads {@code regionkv.client} from the system's configuration. */
    public static ClientSettings create(ActorSystem<?> system) {
        return fromConfig(system.settings().config().getConfig(CONFIG_PATH));
    }

    /** Reads the settings from the {@code regionkv.client} section itself. */
    public static ClientSettings fromConfig(Config c) {
        return new ClientSettings(c.getDuration("request-timeout"), c.getDuration("backoff-base"),
                c.getDuration("backoff-max"), c.getLongList("initial-stores"),
                c.getDuration("attempt-timeout-for-reads"), c.getDuration("busy-budget"),
                c.getInt("max-in-flight-per-store"), c.getInt("max-queued-per-store"));
    }

    public ClientSettings withRequestTimeout(Duration d) {
        return new ClientSettings(d, backoffBase, backoffMax, initialStores, attemptTimeoutForReads, busyBudget,
                maxInFlightPerStore, maxQueuedPerStore);
    }

    public ClientSettings withBackoff(Duration base, Duration max) {
        return new ClientSettings(requestTimeout, base, max, initialStores, attemptTimeoutForReads, busyBudget,
                maxInFlightPerStore, maxQueuedPerStore);
    }

    public ClientSettings withInitialStores(List<Long> stores) {
        return new ClientSettings(requestTimeout, backoffBase, backoffMax, stores, attemptTimeoutForReads, busyBudget,
                maxInFlightPerStore, maxQueuedPerStore);
    }

    public ClientSettings withAttemptTimeoutForReads(Duration d) {
        return new ClientSettings(requestTimeout, backoffBase, backoffMax, initialStores, d, busyBudget,
                maxInFlightPerStore, maxQueuedPerStore);
    }

    public ClientSettings withBusyBudget(Duration d) {
        return new ClientSettings(requestTimeout, backoffBase, backoffMax, initialStores, attemptTimeoutForReads, d,
                maxInFlightPerStore, maxQueuedPerStore);
    }

    public ClientSettings withWindow(int maxInFlightPerStore, int maxQueuedPerStore) {
        return new ClientSettings(requestTimeout, backoffBase, backoffMax, initialStores, attemptTimeoutForReads,
                busyBudget, maxInFlightPerStore, maxQueuedPerStore);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
