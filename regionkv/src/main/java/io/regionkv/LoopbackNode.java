package io.regionkv;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The Pekko settings of a RegionKV node that shares its JVM with other nodes: what {@code regionkv local}
 * and the testkit's clusters start. It lives in the library because both build on it.
 */
public final class LoopbackNode {

    private LoopbackNode() {}

    /**
     * A cluster node on loopback with a random port, as many in one JVM: downing off (raft, not Pekko,
     * decides what a silent peer means), a failure detector that tolerates GC pauses on a small machine,
     * a Receptionist that spreads store inboxes quickly, and a coarser timer wheel.
     */
    public static Config config() {
        return ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.cluster.downing-provider-class = ""
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 20s
                # As regionkv.server.directory-gossip-interval (reference.conf): new store actors spread as
                # deltas every 200 ms anyway; the full-state round, one message per node even when idle,
                # only matters to a node that (re)joins.
                pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 500ms
                pekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval = 50ms
                # Each node of the JVM has its own timer thread, which wakes every step even when no timer is
                # due: 20 ms instead of Pekko's 10 halves those wake-ups (regionkv.server.scheduler-tick in
                # reference.conf says what the coarser step costs the raft clock).
                pekko.scheduler.tick-duration = 20ms
                pekko.coordinated-shutdown.exit-jvm = off
                # The nodes of one JVM stop together: nobody is left to take their leaders.
                regionkv.shutdown.leader-handoff-timeout = 0s
                """);
    }
}
