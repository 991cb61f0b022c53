package io.regionkv;

import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftServerpb.StoreIdent;
import io.regionkv.store.Bootstrap;
import io.regionkv.store.IoDispatcher;
import io.regionkv.store.writer.KvWriter;
import io.regionkv.store.Meta;
import io.regionkv.scheduler.Scheduler;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.PlacementSettings;
import io.regionkv.store.writer.RaftLogWriter;
import io.regionkv.store.StoreActor;
import io.regionkv.store.StoreCommand;
import io.regionkv.store.StoreMetrics;
import io.regionkv.store.StorageFailure;
import io.regionkv.store.StoreSettings;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.store.writer.WriterSettings;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.ReplyOutbox;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * One store on one node: opens (and on first start bootstraps) its raft log and kv environment, starts the two
 * writers on the io dispatcher and the store actor, which starts the peers. In coordinated shutdown the
 * store first hands its leaders away and stops taking commands ({@link LeaderHandoff}); the engines close
 * when the actor system has terminated, after every actor that could touch them has stopped.
 */
public final class RegionKvNode {

    /** The first region's id; its peers' ids equal their store ids (see reference.conf, initial-stores). */
    public static final long FIRST_REGION_ID = 1;

    private final ActorSystem<?> system;
    private final StoreSettings settings;
    private final Engines engines;
    private final ActorRef<StoreCommand> store;
    private final CompletionStage<Void> closed;
    private final StoreMetrics metrics;

    private RegionKvNode(ActorSystem<?> system, StoreSettings settings, Engines engines, ActorRef<StoreCommand> store,
            CompletionStage<Void> closed, StoreMetrics metrics) {
        this.metrics = metrics;
        this.system = system;
        this.settings = settings;
        this.engines = engines;
        this.store = store;
        this.closed = closed;
    }

    /**
     * Starts the store described by {@code settings} inside {@code system}, sending raft traffic through
     * {@code transport}.
     *
     * @throws IllegalStateException if the data directory belongs to another store or cluster
     */
    public static RegionKvNode start(ActorSystem<?> system, StoreSettings settings, RaftTransport transport) {
        // Sets kv data an OS crash may have torn aside, and lets the leaders refill it (TornKvRecovery).
        io.regionkv.store.TornKvRecovery.Opened opened = io.regionkv.store.TornKvRecovery.open(settings);
        Engines engines = opened.engines();
        try {
            bootstrapIfNew(engines, settings);
        } catch (RuntimeException e) {
            engines.close();
            throw e;
        }
        long id = settings.storeId();
        StoreMetrics metrics = new StoreMetrics();
        ActorRef<WriterCommand> raftWriter = system.systemActorOf(
                RaftLogWriter.create(engines.raftLog(), WriterSettings.defaults().withGroupWait(
                        system.settings().config().getDuration("regionkv.engine.raft-log-group-wait")), metrics,
                        StorageFailure.shutDownNode(system, id), transport.gate()),
                "regionkv-raft-log-writer-" + id, IoDispatcher.RAFT_LOG_WRITER);
        // The peers' answers to clients wait while the kv writer's answers to one commit are acted on.
        ReplyOutbox replies = new ReplyOutbox();
        ActorRef<WriterCommand> kvWriter = system.systemActorOf(
                KvWriter.create(engines.kv(), WriterSettings.defaults(), metrics, replies.gate()),
                "regionkv-kv-writer-" + id, IoDispatcher.KV_WRITER);
        ActorRef<StoreCommand> store = system.systemActorOf(
                StoreActor.create(settings, engines, raftWriter, kvWriter, transport, schedulerProxy(system),
                        PlacementSettings.fromConfig(system.settings().config()), metrics, replies), "regionkv-store-" + id,
                Props.empty());
        // Hands this store's leaders away and stops taking commands when the node shuts down (SIGTERM).
        LeaderHandoff.install(system, id, store);
        if (!opened.refilling().isEmpty()) {
            system.systemActorOf(io.regionkv.store.RecoveryWatch.create(id, engines, settings.dataDir(),
                    opened.refilling().keySet(), system.settings().config().getDuration("regionkv.recovery.report-after")),
                    "regionkv-recovery-watch-" + id, IoDispatcher.SELECTOR);
        }
        CompletionStage<Void> closed = system.getWhenTerminated().thenRun(engines::close);
        return new RegionKvNode(system, settings, engines, store, closed, metrics);
    }

    /**
     * The scheduler singleton's proxy (on a node with the scheduler role this also lets the node host it).
     * A system without cluster provider (single-process tests) has no scheduler: heartbeats go nowhere and
     * nothing splits by itself.
     */
    private static ActorRef<SchedulerCommand> schedulerProxy(ActorSystem<?> system) {
        if (!(Adapter.toClassic(system) instanceof org.apache.pekko.actor.ExtendedActorSystem ext)
                || !(ext.provider() instanceof org.apache.pekko.cluster.ClusterActorRefProvider)) {
            return system.ignoreRef();
        }
        return Scheduler.proxy(system);
    }

    /**
     * Gives a fresh data directory its store identity and, on the initial stores, the first region. This
     * runs once, before any actor exists, so it writes directly (the only LMDB write outside the writers).
     * The raft batch goes first: the store finds its regions through the kv environment, so a crash in
     * between leaves an unreferenced raft state that the retried bootstrap overwrites.
     */
    private static void bootstrapIfNew(Engines engines, StoreSettings settings) {
        StoreIdent ident;
        try (ReadView view = engines.kv().readView()) {
            ident = Meta.storeIdent(view);
        }
        if (ident != null) {
            if (ident.getStoreId() != settings.storeId() || ident.getClusterId() != settings.clusterId()) {
                throw new IllegalStateException("data directory " + settings.dataDir() + " belongs to store "
                        + ident.getStoreId() + " of cluster " + ident.getClusterId() + ", not store "
                        + settings.storeId() + " of cluster " + settings.clusterId());
            }
            return;
        }
        RaftLogBatch raft = new RaftLogBatch();
        WriteBatch kv = new WriteBatch();
        if (settings.initialStores().contains(settings.storeId())) {
            Region.Builder region = Region.newBuilder().setId(FIRST_REGION_ID)
                    .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(1).setVersion(1));
            for (long store : settings.initialStores()) {
                region.addPeers(Peer.newBuilder().setId(store).setStoreId(store));
            }
            Bootstrap.initialRegionState(region.build(), raft, kv);
        }
        Meta.putStoreIdent(kv, StoreIdent.newBuilder().setClusterId(settings.clusterId())
                .setStoreId(settings.storeId()).build());
        if (!raft.isEmpty()) engines.raftLog().commitAll(List.of(raft));
        engines.kv().commit(kv);
    }

    public long storeId() {
        return settings.storeId();
    }

    /** What this store counts for operators (exported by a server at {@code /metrics}). */
    public StoreMetrics metrics() {
        return metrics;
    }

    public ActorRef<StoreCommand> store() {
        return store;
    }

    public StoreSettings settings() {
        return settings;
    }

    /**
     * Completes once the actor system has terminated and the LMDB environments are closed: only then may
     * the same data directory be opened again in this process (LMDB forbids two opens of one environment).
     */
    public CompletionStage<Void> whenClosed() {
        return closed;
    }

    /**
     * Waits up to {@code timeout} for the engines to close after the system terminated. A process that exits
     * sooner leaves its kv data marked unsynced (harmless unless the OS then crashes).
     */
    public void awaitClosed(java.time.Duration timeout) {
        try {
            closed.toCompletableFuture().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The actor system is gone, so its logger may be too.
            org.slf4j.LoggerFactory.getLogger(RegionKvNode.class)
                    .warn("the data of store {} did not close cleanly: {}", settings.storeId(), e.toString());
        }
    }

    /**
     * This store's LMDB environments, for tests that look at what a store holds without going through
     * raft (TinyKV's checks on a partitioned store's engine). Valid until the actor system terminates.
     */
    public Engines engines() {
        return engines;
    }

    /** Every peer's view of its region on this store. */
    public CompletionStage<List<PeerStatus>> status() {
        return AskPattern.ask(store, StoreCommand.GetStatus::new, Duration.ofSeconds(5), system.scheduler());
    }
}
