package io.regionkv.store;

import com.typesafe.config.Config;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.KvSync;
import io.regionkv.engine.raftlog.RaftLogLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a store needs to know about itself, read from the {@code regionkv} section of the Pekko
 * configuration (see reference.conf for each key's meaning and default).
 *
 * @param storeId this node's store id; unique in the cluster, never reused
 * @param dataDir where the raft and kv LMDB environments live
 * @param clusterId written into the store identity; a data directory of another cluster is refused
 * @param initialStores the stores that hold the first region when a fresh cluster bootstraps
 * @param raftTick how often every peer ticks its raft node
 * @param electionTicks election timeout in ticks (randomized in [n, 2n) by raft)
 * @param heartbeatTicks heartbeat interval in ticks
 * @param maxSizePerMsg cap on the entries carried by one append message, in bytes
 * @param maxInflightMsgs appends in flight per follower before the leader waits
 * @param preVote, checkQuorum raft options, on by default
 * @param lazyCommitBroadcast a moved commit index waits for the next append or heartbeat (raft's
 *     {@code lazyCommitBroadcast}; {@code regionkv.raft.lazy-commit-broadcast})
 * @param engine LMDB settings, shared by both environments
 * @param requestTimeout a command not answered by then gets a timeout error from the peer
 * @param logGcTickInterval every this many ticks the leader checks whether to compact its log
 * @param logGcCountLimit compact once this many applied entries are in the log
 */
public record StoreSettings(
        long storeId,
        Path dataDir,
        long clusterId,
        List<Long> initialStores,
        Duration raftTick,
        int electionTicks,
        int heartbeatTicks,
        long maxSizePerMsg,
        int maxInflightMsgs,
        boolean preVote,
        boolean checkQuorum,
        boolean lazyCommitBroadcast,
        EngineConfig engine,
        Duration requestTimeout,
        int logGcTickInterval,
        long logGcCountLimit) {

    public StoreSettings {
        if (storeId <= 0) throw new IllegalArgumentException("regionkv.store-id must be > 0, was " + storeId);
        if (electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("regionkv.raft.election-ticks (" + electionTicks
                    + ") must exceed regionkv.raft.heartbeat-ticks (" + heartbeatTicks + ")");
        }
        initialStores = List.copyOf(initialStores);
    }

    /** Reads the {@code regionkv} section of {@code config}. */
    public static StoreSettings fromConfig(Config root) {
        Config c = root.getConfig("regionkv");
        Config raft = c.getConfig("raft");
        Config eng = c.getConfig("engine");
        EngineConfig engine = EngineConfig.defaults()
                .withSyncOnCommit(eng.getBoolean("sync-on-commit"))
                .withMaxValueSize((int) eng.getBytes("max-value-size").longValue())
                .withInitialMapSize(eng.getBytes("initial-map-size"))
                .withMaxMapSize(eng.getBytes("max-map-size"))
                .withKvSync(kvSync(eng.getString("kv-sync")))
                .withKvSyncIdleDelay(eng.getDuration("kv-sync-idle-delay"))
                .withKvSyncInterval(eng.getDuration("kv-sync-interval"))
                .withAcceptUnsyncedAfterReboot(eng.getBoolean("accept-unsynced-kv-after-reboot"))
                .withRaftLog(raftLog(eng.getString("raft-log")))
                .withRaftLogSegmentBytes(eng.getBytes("raft-log-segment-size"));
        return new StoreSettings(
                c.getLong("store-id"),
                Path.of(c.getString("data-dir")),
                c.getLong("cluster-id"),
                c.getLongList("initial-stores"),
                raft.getDuration("tick-interval"),
                raft.getInt("election-ticks"),
                raft.getInt("heartbeat-ticks"),
                raft.getBytes("max-size-per-msg"),
                raft.getInt("max-inflight-msgs"),
                raft.getBoolean("pre-vote"),
                raft.getBoolean("check-quorum"),
                raft.getBoolean("lazy-commit-broadcast"),
                engine,
                c.getDuration("request-timeout"),
                raft.getInt("log-gc-tick-interval"),
                raft.getLong("log-gc-count-limit"));
    }

    private static KvSync kvSync(String value) {
        return switch (value) {
            case "commit" -> KvSync.COMMIT;
            case "deferred" -> KvSync.DEFERRED;
            default -> throw new com.typesafe.config.ConfigException.BadValue("regionkv.engine.kv-sync",
                    "must be \"commit\" or \"deferred\", got \"" + value + "\"");
        };
    }

    private static RaftLogLayout raftLog(String value) {
        try {
            return RaftLogLayout.parse(value);
        } catch (IllegalArgumentException e) {
            throw new com.typesafe.config.ConfigException.BadValue("regionkv.engine.raft-log", e.getMessage());
        }
    }

    public StoreSettings withStoreId(long id, Path dir) {
        return new StoreSettings(id, dir, clusterId, initialStores, raftTick, electionTicks, heartbeatTicks,
                maxSizePerMsg, maxInflightMsgs, preVote, checkQuorum, lazyCommitBroadcast, engine, requestTimeout, logGcTickInterval, logGcCountLimit);
    }
}
