package io.regionkv.store;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How a store reports to the scheduler and when its regions split ({@code regionkv.scheduler} and
 * {@code regionkv.split} in reference.conf).
 *
 * @param regionHeartbeatInterval how often a region's leader sends a region heartbeat
 * @param storeHeartbeatInterval  how often the store sends a store heartbeat
 * @param maxPeerDownDuration     a peer silent this long is reported down
 * @param splitCheckInterval      how often a leader considers measuring its region
 * @param regionMaxSize           split past this many bytes
 * @param regionMaxKeys           ... or this many keys
 * @param regionSplitSize         pieces aim at this many bytes
 * @param regionSplitKeys         ... and at most this many keys
 * @param learnerCatchUpLag       a learner within this many entries of the leader's log is promoted
 */
public record PlacementSettings(Duration regionHeartbeatInterval, Duration storeHeartbeatInterval,
        Duration maxPeerDownDuration, Duration splitCheckInterval, long regionMaxSize, long regionMaxKeys,
        long regionSplitSize, long regionSplitKeys, long learnerCatchUpLag) {

    public PlacementSettings {
        if (learnerCatchUpLag < 0) {
            throw new IllegalArgumentException("regionkv.scheduler.learner-catch-up-lag must be >= 0");
        }
        if (regionSplitSize <= 0 || regionMaxSize < regionSplitSize) {
            throw new IllegalArgumentException("regionkv.split: need 0 < region-split-size (" + regionSplitSize
                    + ") <= region-max-size (" + regionMaxSize + ")");
        }
        if (regionSplitKeys <= 0 || regionMaxKeys < regionSplitKeys) {
            throw new IllegalArgumentException("regionkv.split: need 0 < region-split-keys (" + regionSplitKeys
                    + ") <= region-max-keys (" + regionMaxKeys + ")");
        }
    }

    public static PlacementSettings fromConfig(Config root) {
        Config s = root.getConfig("regionkv.scheduler");
        Config p = root.getConfig("regionkv.split");
        return new PlacementSettings(s.getDuration("region-heartbeat-interval"),
                s.getDuration("store-heartbeat-interval"), s.getDuration("max-peer-down-duration"),
                p.getDuration("check-interval"), p.getBytes("region-max-size"), p.getLong("region-max-keys"),
                p.getBytes("region-split-size"), p.getLong("region-split-keys"), s.getLong("learner-catch-up-lag"));
    }

    /** An interval in raft ticks, at least one. */
    static int ticks(Duration interval, Duration tick) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, interval.toNanos() / Math.max(1, tick.toNanos())));
    }
}
