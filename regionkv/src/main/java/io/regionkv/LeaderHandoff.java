package io.regionkv;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.TransferLeaderRequest;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.StateType;
import io.regionkv.store.PeerStatus;
import io.regionkv.store.StoreCommand;
import io.regionkv.transport.CommandEnvelope;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown of a store node, as a coordinated-shutdown task in phase {@code before-service-unbind}
 * (so before this node's gRPC endpoint closes and before it leaves the cluster): every region this store
 * leads is handed to a caught-up follower with a raft leader transfer, and the task waits, a bounded time,
 * until this store leads nothing and has applied (so answered) the writes it accepted while it led; then
 * the store stops taking client commands. Without it, a node that
 * stops takes its leaderships with it, and its regions are unavailable until an election timeout passes
 * on the followers; with it, the new leader campaigns at once (raft's TimeoutNow) and clients only follow
 * the NotLeader hint. The engines close afterwards, when the actor system has terminated (see
 * {@link RegionKvNode}), once nothing can write to them any more.
 *
 * <p>Nothing here blocks: status is asked of the store actor, transfers are commands told to it, and the
 * next look is scheduled on the system's timer.
 */
final class LeaderHandoff {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderHandoff.class);

    /** Between two looks at which regions this store still leads; a transfer normally takes a round trip. */
    private static final Duration POLL = Duration.ofMillis(50);

    /** Coordinated shutdown moves on at its phase timeout: stop waiting this much earlier, to finish cleanly. */
    private static final Duration PHASE_MARGIN = Duration.ofMillis(500);

    private final ActorSystem<?> system;
    private final long storeId;
    private final ActorRef<StoreCommand> store;
    private final Duration bound;
    /** The follower each region is being handed to: kept while it stays a candidate, so a transfer under way is not restarted. */
    private final Map<Long, Long> chosen = new HashMap<>();
    private final TreeSet<Long> handed = new TreeSet<>();
    /**
     * By region handed away, the last log index this store had while it led: entries up to it may be
     * proposals of clients waiting for an answer from this store, which it gives when it applies them (as
     * a follower now). The handoff waits for that too, so that the node does not leave with them unanswered
     * and their clients waiting out their deadline.
     */
    private final Map<Long, Long> lastIndexWhileLeading = new HashMap<>();

    private LeaderHandoff(ActorSystem<?> system, long storeId, ActorRef<StoreCommand> store, Duration bound) {
        this.system = system;
        this.storeId = storeId;
        this.store = store;
        this.bound = bound;
    }

    /** Adds the task to {@code system}'s coordinated shutdown; {@code regionkv.shutdown} holds its settings. */
    static void install(ActorSystem<?> system, long storeId, ActorRef<StoreCommand> store) {
        Duration configured = system.settings().config().getDuration("regionkv.shutdown.leader-handoff-timeout");
        CoordinatedShutdown cs = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeServiceUnbind();
        Duration phaseTimeout = Duration.ofMillis(cs.timeout(phase).toMillis());
        Duration bound = min(configured, phaseTimeout.minus(PHASE_MARGIN));
        cs.addTask(phase, "regionkv-leader-handoff-" + storeId, () -> {
            CompletionStage<Done> handoff = bound.isNegative() || bound.isZero()
                    ? CompletableFuture.completedFuture(Done.getInstance())
                    : new LeaderHandoff(system, storeId, store, bound).run();
            return handoff.thenApply(done -> {
                store.tell(StoreCommand.StopTakingCommands.INSTANCE);
                return done;
            });
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private CompletionStage<Done> run() {
        CompletableFuture<Done> done = new CompletableFuture<>();
        long start = System.nanoTime();
        look(start, start + bound.toNanos(), done);
        return done;
    }

    private void look(long start, long deadline, CompletableFuture<Done> done) {
        AskPattern.<StoreCommand, List<PeerStatus>>ask(store, StoreCommand.GetStatus::new, POLL.multipliedBy(20),
                system.scheduler()).whenComplete((statuses, error) -> {
                    try {
                        List<PeerStatus> led = error != null ? null
                                : statuses.stream().filter(LeaderHandoff::leadsOthers).toList();
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        if (led != null && led.isEmpty() && unapplied(statuses).isEmpty()) {
                            if (!handed.isEmpty()) {
                                LOG.info("store {} handed the leadership of regions {} to other stores in {} ms",
                                        storeId, handed, ms);
                            }
                            done.complete(Done.getInstance());
                            return;
                        }
                        if (System.nanoTime() - deadline > 0) {
                            LOG.warn("store {} still leads regions {} (or has not applied what it proposed in {}) "
                                    + "after {} ms; stopping anyway: followers elect new leaders after their election "
                                    + "timeout, clients of unanswered writes read back", storeId,
                                    led == null ? "(no status)" : led.stream().map(p -> p.region().getId()).toList(),
                                    statuses == null ? "(no status)" : unapplied(statuses), ms);
                            done.complete(Done.getInstance());
                            return;
                        }
                        if (led != null) {
                            for (PeerStatus p : led) {
                                handed.add(p.region().getId());
                                lastIndexWhileLeading.put(p.region().getId(), p.lastIndex());
                                target(p).ifPresent(t -> transfer(p, t));
                            }
                        }
                        system.scheduler().scheduleOnce(POLL, () -> look(start, deadline, done),
                                system.executionContext());
                    } catch (RuntimeException e) {
                        // A shutdown task must end: a bug here only costs the handoff, not the shutdown.
                        LOG.warn("store {}: leader handoff failed", storeId, e);
                        done.complete(Done.getInstance());
                    }
                });
    }

    /** Regions handed away whose peer here has not yet applied the log it had while leading. */
    private List<Long> unapplied(List<PeerStatus> statuses) {
        return statuses.stream().filter(p -> {
            Long last = lastIndexWhileLeading.get(p.region().getId());
            return last != null && p.role() != StateType.LEADER && p.appliedIndex() < last;
        }).map(p -> p.region().getId()).toList();
    }

    /** A leader with at least one other voter (a region with one replica has nobody to hand to). */
    private static boolean leadsOthers(PeerStatus p) {
        return p.role() == StateType.LEADER && p.region().getPeersList().stream()
                .anyMatch(peer -> peer.getId() != p.self().getId() && peer.getRole() != io.regionkv.proto.Metapb.PeerRole.Learner);
    }

    /** The follower to hand {@code p}'s region to now (see {@link #pick}), remembered for the next look. */
    private Optional<Peer> target(PeerStatus p) {
        long regionId = p.region().getId();
        Optional<Peer> t = pick(p, chosen.get(regionId));
        t.ifPresent(peer -> chosen.put(regionId, peer.getId()));
        return t;
    }

    /**
     * The follower to hand {@code p}'s region to: a voter the leader heard from recently, with the longest
     * matching log (raft sends what it misses before the TimeoutNow, so the most caught-up is the quickest;
     * the lower id on a tie); {@code previous}, the one chosen before, while it still qualifies, so that a
     * transfer under way is not aborted for another. Empty when no follower qualifies.
     */
    static Optional<Peer> pick(PeerStatus p, Long previous) {
        Peer best = null;
        long bestMatch = -1;
        for (Peer peer : p.region().getPeersList()) {
            ProgressStatus pr = p.progress().get(peer.getId());
            if (peer.getId() == p.self().getId() || pr == null || pr.learner() || !pr.recentActive()) continue;
            if (previous != null && previous == peer.getId()) return Optional.of(peer);
            if (pr.match() > bestMatch || (pr.match() == bestMatch && peer.getId() < best.getId())) {
                best = peer;
                bestMatch = pr.match();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Tells this store to transfer the region's leadership to {@code to}. Asking again while the same
     * transfer is under way is harmless (raft ignores it); the answer is not needed, the next look sees
     * whether the leadership moved.
     */
    private void transfer(PeerStatus p, Peer to) {
        UUID uuid = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(p.region().getId()).setPeer(p.self())
                        .setRegionEpoch(p.region().getRegionEpoch()).setUuid(ByteString.copyFrom(b.array())))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.TransferLeader)
                        .setTransferLeader(TransferLeaderRequest.newBuilder().setPeer(to)))
                .build();
        store.tell(new StoreCommand.Inbound(CommandEnvelope.of(req, system.ignoreRef())));
    }
}
