package io.regionkv.client;

import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.ChangePeerRequest;
import io.regionkv.proto.RaftCmdpb.TransferLeaderRequest;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The client's membership admin calls, by region id and store id: find the region in the scheduler's
 * directory, then send the admin command to its leader through a {@link RegionCall} on the region's start
 * key (which follows NotLeader, EpochNotMatch and the rest like any command).
 *
 * <p>Add-peer is carried out directly by the region's leader, not by a scheduler operator: the client
 * takes a fresh peer id from the scheduler and asks the leader to add it; the leader adds it as a learner
 * and promotes it by itself once it has caught up (PeerActor). The call completes when the learner is in
 * the region. Remove-peer of the leader comes back as NotLeader naming the peer it handed leadership to,
 * and the retry there removes it.
 */
final class MembershipCalls {

    private final ClientContext ctx;
    private final SchedulerLookup lookup;

    MembershipCalls(ClientContext ctx) {
        this.ctx = ctx;
        this.lookup = ctx.schedulerLookup();
    }

    CompletionStage<Void> transferLeader(long regionId, long storeId, long deadline) {
        return onRegion("transfer-leader", regionId, deadline, (region, known) -> AdminRequest.newBuilder()
                .setCmdType(AdminCmdType.TransferLeader)
                .setTransferLeader(TransferLeaderRequest.newBuilder().setPeer(peerOn(region, known, storeId))).build());
    }

    CompletionStage<Void> removePeer(long regionId, long storeId, long deadline) {
        return onRegion("remove-peer", regionId, deadline, (region, known) -> changePeer(ConfChangeType.RemoveNode,
                peerOn(region, known, storeId)));
    }

    CompletionStage<Void> addPeer(long regionId, long storeId, long deadline) {
        if (storeId <= 0) return failed("add-peer: store id must be > 0, was " + storeId);
        return scheduler().thenCompose(s -> AskPattern.<SchedulerCommand, SchedulerReply.IdsReply>ask(s,
                        replyTo -> new SchedulerCommand.AllocIds(1, replyTo), remaining(deadline), ctx.scheduler()))
                .thenCompose(reply -> {
                    if (!(reply instanceof SchedulerReply.Ids ids)) {
                        throw new RegionKvException("add-peer: the scheduler gave no peer id: " + reply);
                    }
                    Peer peer = Peer.newBuilder().setId(ids.first()).setStoreId(storeId).setRole(PeerRole.Learner).build();
                    return onRegion("add-peer", regionId, deadline,
                            (region, known) -> changePeer(ConfChangeType.AddLearnerNode, peer));
                });
    }

    private static AdminRequest changePeer(ConfChangeType type, Peer peer) {
        return AdminRequest.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerRequest.newBuilder().setChangeType(type).setPeer(peer)).build();
    }

    /**
     * The region's peer on {@code storeId}, from whichever description is newer in membership: the client's
     * cached one or the directory's (the cache may still name a peer that was removed since, and a peer
     * id is never reused). Thrown out of the call (it fails) when there is none.
     */
    private static Peer peerOn(CachedRegion region, Region known, long storeId) {
        Region newer = known.getRegionEpoch().getConfVer() > region.region().getRegionEpoch().getConfVer()
                ? known : region.region();
        return new CachedRegion(newer, java.util.Optional.empty()).peerOn(storeId)
                .orElseThrow(() -> new RegionKvException("region " + region.id() + " has no peer on store " + storeId));
    }

    private CompletionStage<Void> onRegion(String operation, long regionId, long deadline,
            java.util.function.BiFunction<CachedRegion, Region, AdminRequest> admin) {
        return findRegion(operation, regionId, deadline, 0)
                .thenCompose(r -> {
                    refreshCache(r);
                    return RegionCall.admin(ctx, operation, r.getStartKey(), region -> {
                        if (region.id() != regionId) {
                            // The key moved to another region (the directory was behind): do not touch that one.
                            throw new RegionKvException(operation + ": region " + regionId + " no longer holds its start key");
                        }
                        return admin.apply(region, r);
                    }, deadline).start();
                })
                .thenApply(result -> null);
    }

    /**
     * Where this client's cache puts the start key of {@code known} (the directory's view) in another
     * region of an older version, the cache is the stale one: a region split off gets a higher version
     * than its parent had, and a region that took over a range did so by a split or merge that bumped it.
     * Without this, a client that never sent anything to the new region (e.g. one that only split) would
     * route the admin call to the parent, refuse it as "no longer holds its start key" without asking a
     * store, and fail the same way on every retry (seen: a third of `bench --regions N`'s leader moves).
     */
    private void refreshCache(Region known) {
        ctx.cache().find(known.getStartKey()).ifPresent(cached -> {
            if (cached.id() != known.getId()
                    && RegionCache.isNewer(known.getRegionEpoch(), cached.region().getRegionEpoch())) {
                ctx.cache().update(known, java.util.Optional.empty());
            }
        });
    }

    /**
     * The region as the scheduler's directory knows it. The directory is soft state, refilled by the
     * leaders' heartbeats (after a start or a scheduler failover it may not know the region yet): ask again
     * with backoff until the deadline.
     */
    private CompletionStage<Region> findRegion(String operation, long regionId, long deadline, int attempt) {
        return scheduler().thenCompose(s -> AskPattern.<SchedulerCommand, SchedulerReply.Regions>ask(s,
                        replyTo -> new SchedulerCommand.GetRegionById(regionId, replyTo), remaining(deadline),
                        ctx.scheduler()))
                .thenCompose(found -> {
                    if (!found.regions().isEmpty()) {
                        return CompletableFuture.completedFuture(found.regions().get(0).region());
                    }
                    Duration delay = ctx.backoff().delay(attempt);
                    if (System.nanoTime() + delay.toNanos() >= deadline) {
                        throw new RegionKvException(operation + ": region " + regionId
                                + " is not in the scheduler's directory");
                    }
                    CompletableFuture<Region> later = new CompletableFuture<>();
                    ctx.scheduler().scheduleOnce(delay, () -> findRegion(operation, regionId, deadline, attempt + 1)
                            .whenComplete((r, e) -> {
                                if (e != null) later.completeExceptionally(e);
                                else later.complete(r);
                            }), ctx.executor());
                    return later;
                });
    }

    private CompletionStage<ActorRef<SchedulerCommand>> scheduler() {
        return lookup.scheduler().<CompletionStage<ActorRef<SchedulerCommand>>>map(CompletableFuture::completedFuture)
                .orElseGet(() -> failed("this client has no scheduler"));
    }

    private static <T> CompletionStage<T> failed(String why) {
        return CompletableFuture.failedFuture(new RegionKvException(why));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }
}
