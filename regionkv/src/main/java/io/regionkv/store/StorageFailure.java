package io.regionkv.store;

import io.regionkv.engine.StorageFailedException;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why a node shut itself down: its store's durable storage failed for good ({@link StorageFailedException}).
 *
 * <p>A store whose raft log takes no more writes cannot vote, append or apply: its peers would fail at their
 * first write, be restarted from disk by the store, and fail again, for as long as the process lives, while
 * the node still looks healthy to the cluster. So the node leaves instead, the way Pekko ends a node the
 * cluster has downed: coordinated shutdown, which hands the store's leaders away first (a leader transfer
 * needs no local write), leaves the cluster and terminates the actor system. The other replicas go on; the
 * scheduler replaces this store's replicas if it stays away longer than
 * {@code regionkv.scheduler.max-store-down-time}. {@code regionkv server} exits with status 1 for this
 * reason, so a process supervisor restarts it, and opening the storage again replays what is really on
 * disk. etcd and TiKV end the process on a failed log write for the same reason.
 *
 * <p>An application that embeds a store in its own actor system sees that system terminate with this as
 * {@code CoordinatedShutdown.get(system).getShutdownReason()}.
 */
public enum StorageFailure implements CoordinatedShutdown.Reason {
    /** The raft log failed a write or sync. */
    RAFT_LOG_FAILED;

    private static final Logger LOG = LoggerFactory.getLogger(StorageFailure.class);

    /** What the raft-log writer of store {@code storeId} in {@code system} does when its log fails. */
    public static Consumer<StorageFailedException> shutDownNode(ActorSystem<?> system, long storeId) {
        return failure -> {
            LOG.error("store {}: its raft log failed and takes no more writes; shutting the node down (restart "
                    + "the process to reopen the log)", storeId, failure);
            CoordinatedShutdown.get(system).runAll(RAFT_LOG_FAILED);
        };
    }

    /** Whether {@code system} shut down because its store's storage failed. */
    public static boolean causedShutdownOf(ActorSystem<?> system) {
        return CoordinatedShutdown.get(system).getShutdownReason().filter(r -> r instanceof StorageFailure).isPresent();
    }
}
