package io.regionkv.scheduler;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The scheduler's settings, from {@code regionkv.scheduler} (documented in reference.conf).
 *
 * @param role          the cluster role of nodes that may host the scheduler; "" for any node
 * @param idFloor       the lowest id to hand out: above the first region's and its peers' ids
 * @param idBlock       how many ids one saved mark covers
 * @param tsoWindow     how far ahead of the clock the timestamp mark is saved
 * @param maxWaiting    requests held while marks are loaded or saved; past it they are refused
 * @param retryInterval pause before reading or writing a mark again after a failure
 */
public record SchedulerSettings(String role, long idFloor, long idBlock, Duration tsoWindow, int maxWaiting,
        Duration retryInterval) {

    public static final String CONFIG_PATH = "regionkv.scheduler";

    /** The lowest id the scheduler ever hands out. */
    public static final long MIN_ID = 1000;

    public SchedulerSettings {
        if (idBlock < 1) throw new IllegalArgumentException("regionkv.scheduler.id-block-size must be >= 1");
        if (tsoWindow.toMillis() < 3) throw new IllegalArgumentException("regionkv.scheduler.tso-save-window must be >= 3ms");
        if (maxWaiting < 1) throw new IllegalArgumentException("regionkv.scheduler.max-waiting-requests must be >= 1");
    }

    /** Reads {@code regionkv.scheduler}; the id floor lies above the ids bootstrap gave (store ids as peer ids). */
    public static SchedulerSettings fromConfig(Config root) {
        Config c = root.getConfig(CONFIG_PATH);
        List<Long> initial = root.getLongList("regionkv.initial-stores");
        // Bootstrap uses region 1 and peer ids equal to the initial store ids; below MIN_ID is also room for
        // ids given by hand (tests, operators), and a node whose initial-stores list is shorter than
        // another's still starts above every bootstrap id.
        long floor = MIN_ID;
        for (long s : initial) floor = Math.max(floor, s + 1);
        return new SchedulerSettings(c.getString("role"), floor, c.getLong("id-block-size"),
                c.getDuration("tso-save-window"), c.getInt("max-waiting-requests"), c.getDuration("retry-interval"));
    }
}
