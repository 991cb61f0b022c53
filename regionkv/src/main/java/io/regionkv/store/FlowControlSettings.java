package io.regionkv.store;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The bounds that keep a flooded peer from holding unbounded work (see reference.conf,
 * {@code regionkv.flow-control}). Past a bound a new command is answered {@code ServerIsBusy} with
 * {@link #busyBackoff} as the hint (or, refused by its expected wait, the time the queue needs to shrink),
 * and changes nothing.
 *
 * @param maxProposalsPerPeer writes a peer holds that are not applied yet (collected or in the log)
 * @param maxPendingReadsPerPeer reads a peer holds, waiting for a read index or for the apply to reach it
 * @param maxAppliesInFlightPerPeer apply batches of one peer queued at the kv writer; at the bound the peer
 *     takes no new Ready, which bounds what one peer puts in the writers' queues
 * @param busyBackoff how long a client should wait after a ServerIsBusy before trying that store again
 * @param maxQueueWait the longest expected wait in a peer's queue a command is admitted to (ExpectedWait)
 * @param queueRateWindow the shortest window over which a queue's service rate is measured
 * @param queueWaitMinQueued below this many queued commands the expected wait refuses nothing
 * @param holdWritesUntilCommit whether a leader holds new writes while entries it proposed are not committed
 *     yet, so that one round carries all that arrived meanwhile ({@code PeerProposals})
 */
record FlowControlSettings(int maxProposalsPerPeer, int maxPendingReadsPerPeer, int maxAppliesInFlightPerPeer,
        Duration busyBackoff, Duration maxQueueWait, Duration queueRateWindow, int queueWaitMinQueued,
        boolean holdWritesUntilCommit) {

    FlowControlSettings {
        if (maxProposalsPerPeer < 1 || maxPendingReadsPerPeer < 1 || maxAppliesInFlightPerPeer < 1) {
            throw new IllegalArgumentException("regionkv.flow-control: every bound must be >= 1");
        }
        if (maxQueueWait.isNegative() || maxQueueWait.isZero() || queueRateWindow.isNegative()
                || queueRateWindow.isZero() || queueWaitMinQueued < 0) {
            throw new IllegalArgumentException(
                    "regionkv.flow-control: max-queue-wait and queue-rate-window must be > 0, queue-wait-min-queued >= 0");
        }
    }

    static FlowControlSettings fromConfig(Config root) {
        Config c = root.getConfig("regionkv.flow-control");
        return new FlowControlSettings(c.getInt("max-proposals-per-peer"), c.getInt("max-pending-reads-per-peer"),
                c.getInt("max-applies-in-flight-per-peer"), c.getDuration("busy-backoff"),
                c.getDuration("max-queue-wait"), c.getDuration("queue-rate-window"), c.getInt("queue-wait-min-queued"),
                c.getBoolean("hold-writes-until-commit"));
    }
}
