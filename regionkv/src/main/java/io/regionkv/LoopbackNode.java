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
     * and a Receptionist that spreads store inboxes quickly.
     */
    public static Config config() {
        return ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.cluster.downing-provider-class = ""
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 20s
                pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 200ms
                pekko.cluster.typed.receptionist.distributed-data.notify-subscribers-interval = 50ms
                pekko.coordinated-shutdown.exit-jvm = off
                # The nodes of one JVM stop together: nobody is left to take their leaders.
                regionkv.shutdown.leader-handoff-timeout = 0s
                """);
    }
}
