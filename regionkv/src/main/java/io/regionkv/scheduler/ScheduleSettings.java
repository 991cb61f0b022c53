package io.regionkv.scheduler;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The balance and repair settings of the scheduler, from {@code regionkv.scheduler} (documented in
 * reference.conf). Kept apart from {@link SchedulerSettings}, which is about ids and timestamps.
 *
 * @param maxReplicas          replicas each region should have
 * @param maxStoreDownTime     a store silent this long is Down: its replicas are rebuilt elsewhere
 * @param storeDisconnectTime  a store silent this long is Disconnected: it gets nothing new
 * @param balanceInterval      how often the balance schedulers look for a move
 * @param operatorTimeout      an operator not finished by then is dropped (its checker may plan again)
 * @param maxBalanceOperators  balance operators (leader transfers) in flight at once; a region move runs alone
 */
public record ScheduleSettings(int maxReplicas, Duration maxStoreDownTime, Duration storeDisconnectTime,
        Duration balanceInterval, Duration operatorTimeout, int maxBalanceOperators) {

    public ScheduleSettings {
        if (maxReplicas < 1) throw new IllegalArgumentException("regionkv.scheduler.max-replicas must be >= 1");
        if (maxBalanceOperators < 1) {
            throw new IllegalArgumentException("regionkv.scheduler.max-balance-operators must be >= 1");
        }
    }

    public static ScheduleSettings fromConfig(Config root) {
        Config c = root.getConfig(SchedulerSettings.CONFIG_PATH);
        return new ScheduleSettings(c.getInt("max-replicas"), c.getDuration("max-store-down-time"),
                c.getDuration("store-disconnect-time"), c.getDuration("balance-interval"),
                c.getDuration("operator-timeout"), c.getInt("max-balance-operators"));
    }
}
