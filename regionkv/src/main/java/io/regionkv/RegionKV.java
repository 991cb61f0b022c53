package io.regionkv;

import com.google.protobuf.ByteString;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.KvPair;
import io.regionkv.client.RegionKvClient;
import io.regionkv.scheduler.Scheduler;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import io.regionkv.store.StoreSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.RaftTransportDecorator;
import io.regionkv.transport.StoreDirectory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * RegionKV embedded in a Pekko application, like {@code ClusterSharding.get(system)}:
 * {@code RegionKV.get(system).put(key, value)}.
 *
 * <p>When {@code regionkv.store-id} is set (> 0) the first call also starts this node's store, with the
 * data directory and raft settings of the {@code regionkv} configuration section; otherwise the node is a
 * client of the stores elsewhere in the cluster. Either way the operations find the region and its leader,
 * retry on region errors with backoff, and fail with a clear error at their deadline (see
 * {@link RegionKvClient}).
 */
public final class RegionKV implements Extension {

    private static final ExtensionId<RegionKV> ID = new ExtensionId<>() {
        @Override
        public RegionKV createExtension(ActorSystem<?> system) {
            return new RegionKV(system);
        }
    };

    private final ActorSystem<?> system;
    private final Optional<RegionKvNode> node;
    private final RegionKvClient client;
    private final ActorRef<SchedulerCommand> scheduler;

    private RegionKV(ActorSystem<?> system) {
        this.system = system;
        long storeId = system.settings().config().getLong("regionkv.store-id");
        if (storeId > 0) {
            StoreSettings settings = StoreSettings.fromConfig(system.settings().config());
            node = Optional.of(RegionKvNode.start(system, settings,
                    RaftTransportDecorator.apply(system, new ArteryRaftTransport(StoreDirectory.get(system)))));
        } else {
            node = Optional.empty();
        }
        ClientSettings cs = ClientSettings.create(system);
        if (cs.initialStores().isEmpty()) {
            // Without a configured list, ask the stores this cluster bootstrapped with, then this node's own.
            List<Long> initial = new java.util.ArrayList<>(system.settings().config().getLongList("regionkv.initial-stores"));
            if (storeId > 0 && !initial.contains(storeId)) initial.add(0, storeId);
            cs = cs.withInitialStores(initial);
        }
        scheduler = Scheduler.proxy(system);
        client = new RegionKvClient(system, cs, new java.util.Random(), Optional.of(scheduler));
    }

    public static RegionKV get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** This node's store, if it runs one. */
    public Optional<RegionKvNode> node() {
        return node;
    }

    public RegionKvClient client() {
        return client;
    }

    public CompletionStage<Void> put(ByteString key, ByteString value) {
        return client.put(key, value);
    }

    public CompletionStage<Optional<ByteString>> get(ByteString key) {
        return client.get(key);
    }

    public CompletionStage<Void> delete(ByteString key) {
        return client.delete(key);
    }

    // ---- admin -------------------------------------------------------------------------------------

    /** The scheduler singleton's proxy on this node. */
    public ActorRef<SchedulerCommand> scheduler() {
        return scheduler;
    }

    /**
     * Every region as the scheduler's directory knows it, in key order, with its leader. The directory
     * is rebuilt from heartbeats, so right after a start or a failover it may still miss regions.
     */
    public CompletionStage<List<SchedulerReply.RegionInfo>> regions() {
        return AskPattern.<SchedulerCommand, SchedulerReply.Regions>ask(scheduler,
                replyTo -> new SchedulerCommand.ScanRegions(ByteString.EMPTY, ByteString.EMPTY, 0, replyTo),
                client.settings().requestTimeout(), system.scheduler()).thenApply(SchedulerReply.Regions::regions);
    }

    /** Every store as its last heartbeat described it, with its state as the scheduler sees it. */
    public CompletionStage<List<SchedulerReply.StoreInfo>> stores() {
        return AskPattern.<SchedulerCommand, SchedulerReply.Stores>ask(scheduler, SchedulerCommand.GetStores::new,
                client.settings().requestTimeout(), system.scheduler()).thenApply(SchedulerReply.Stores::stores);
    }

    /** See {@link RegionKvClient#transferLeader}. */
    public CompletionStage<Void> transferLeader(long regionId, long storeId) {
        return client.transferLeader(regionId, storeId);
    }

    /** See {@link RegionKvClient#addPeer}. */
    public CompletionStage<Void> addPeer(long regionId, long storeId) {
        return client.addPeer(regionId, storeId);
    }

    /** See {@link RegionKvClient#removePeer}. */
    public CompletionStage<Void> removePeer(long regionId, long storeId) {
        return client.removePeer(regionId, storeId);
    }

    /** Splits the region holding {@code key} at {@code key} (see {@link RegionKvClient#split}). */
    public CompletionStage<Void> split(ByteString key) {
        return client.split(key);
    }

    /** Up to {@code limit} pairs with {@code start <= key < end}, in key order; an empty end is unbounded. */
    public CompletionStage<List<KvPair>> scan(ByteString start, ByteString end, int limit) {
        return client.scan(start, end, limit);
    }
}
