package io.regionkv.store;

import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * The dispatchers of actors that block on disk (defined in reference.conf, {@code regionkv.*-dispatcher}).
 * The two writers each own a thread, so that neither waits for a pool thread that a snapshot or the other
 * writer holds: a large snapshot must not stall every region's raft-log writes. Snapshot work shares a small
 * pool of its own.
 */
public final class IoDispatcher {
    /** Other blocking file work (the known-members file and the like). */
    public static final String CONFIG_PATH = "regionkv.io-dispatcher";
    public static final DispatcherSelector SELECTOR = DispatcherSelector.fromConfig(CONFIG_PATH);

    /** The raft-log writer's own thread. */
    public static final DispatcherSelector RAFT_LOG_WRITER =
            DispatcherSelector.fromConfig("regionkv.raft-log-writer-dispatcher");

    /** The kv writer's own thread. */
    public static final DispatcherSelector KV_WRITER = DispatcherSelector.fromConfig("regionkv.kv-writer-dispatcher");

    /** Snapshot generation, transfer (both ends) and install builds, and snapshot file clean-up. */
    /** The kv writer's background sync ({@link io.regionkv.store.writer.KvSyncer}), on a thread of its own. */
    public static final DispatcherSelector KV_SYNC = DispatcherSelector.fromConfig("regionkv.kv-sync-dispatcher");

    public static final DispatcherSelector SNAPSHOT = DispatcherSelector.fromConfig("regionkv.snapshot-dispatcher");

    private IoDispatcher() {}
}
