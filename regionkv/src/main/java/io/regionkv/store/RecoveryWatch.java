package io.regionkv.store;

import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After {@link TornKvRecovery} set a store's kv data aside, reports the regions that still hold no data:
 * every {@code regionkv.recovery.report-after} it looks which of them have a region state again (a
 * leader's snapshot was installed) and names the others in an error. A region that stays empty most likely
 * lost its data on every replica (a power loss of the whole cluster): no leader exists that could refill
 * it, and only the operator can bring the set-aside data back, with the documented override. When every
 * region is filled it says so, and that the backup may go, and stops.
 */
public final class RecoveryWatch {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryWatch.class);

    private enum Tick { INSTANCE }

    private RecoveryWatch() {}

    public static Behavior<?> create(long storeId, Engines engines, Path dataDir, Set<Long> regions,
            Duration interval) {
        Set<Long> waiting = new TreeSet<>(regions);
        long startNanos = System.nanoTime();
        return Behaviors.<Tick>setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
            return Behaviors.receiveMessage(tick -> {
                waiting.removeAll(filled(engines, waiting));
                Path backup = dataDir.resolve(TornKvRecovery.BACKUP_DIR);
                if (waiting.isEmpty()) {
                    LOG.info("store {}: every region is refilled after the OS crash; {} may be deleted", storeId, backup);
                    return Behaviors.stopped();
                }
                LOG.error("store {}: regions {} still hold no data {} s after the store set its unsynced kv data"
                        + " aside; no leader of theirs has sent a snapshot. If every replica of a region lost its"
                        + " data (a power loss of the whole cluster), none can: stop this store, replace {}/raft"
                        + " and {}/kv with the two in {}, and start it with"
                        + " regionkv.engine.accept-unsynced-kv-after-reboot = on (README, \"Durability\")",
                        storeId, waiting, (System.nanoTime() - startNanos) / 1_000_000_000L, dataDir, dataDir, backup);
                return Behaviors.same();
            });
        }));
    }

    private static List<Long> filled(Engines engines, Set<Long> regions) {
        List<Long> done = new ArrayList<>();
        try (ReadView view = engines.kv().readView()) {
            for (long id : regions) {
                RegionLocalState state = Meta.regionLocalState(view, id);
                if (state != null && state.getState() != PeerState.Applying) done.add(id);
            }
        }
        return done;
    }
}
