package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.raft.ProgressState;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.RawNode;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A leader peer's dealings with the scheduler: region heartbeats and split checks, both counted in the
 * peer's raft ticks (no timer of their own, so 1,000 idle regions add no timers and followers do nothing).
 *
 * <p>Heartbeats start at a random tick so that the regions of a store do not all report at once. A split
 * check walks the region (in the {@link SplitChecker} child, on the io dispatcher) only when enough was
 * written since the last one, or when this peer has not measured since it became leader: an idle region
 * is measured once and then left alone. A check that finds the region too large asks the scheduler for
 * ids and proposes a split at its first cut; the halves are checked again later, so a large region is
 * cut piece by piece.
 */
final class PeerPlacement {

    private final ActorContext<PeerCommand> context;
    private final PeerContext ctx;
    private final Peer self;
    private final int heartbeatTicks;
    private final int checkTicks;
    private final ActorRef<SchedulerReply.HeartbeatReply> heartbeatReplies;
    /** Peers the leader has not heard from recently, since when (nanos). */
    private final Map<Long, Long> inactiveSince = new HashMap<>();
    private ActorRef<SplitChecker.Check> checker;
    private int ticks;
    private long approximateSize;
    private long approximateKeys;
    private long writtenSinceCheck;
    private boolean measured;
    private boolean checking;

    PeerPlacement(ActorContext<PeerCommand> context, PeerContext ctx, Peer self) {
        this.context = context;
        this.ctx = ctx;
        this.self = self;
        PlacementSettings p = ctx.placement();
        Duration tick = ctx.settings().raftTick();
        this.heartbeatTicks = PlacementSettings.ticks(p.regionHeartbeatInterval(), tick);
        this.checkTicks = PlacementSettings.ticks(p.splitCheckInterval(), tick);
        this.ticks = ThreadLocalRandom.current().nextInt(Math.max(heartbeatTicks, checkTicks));
        this.heartbeatReplies = context.messageAdapter(SchedulerReply.HeartbeatReply.class, PeerCommand.HeartbeatAnswer::new);
    }

    /** Bytes a client wrote to this region (on the leader), to decide when to measure again. */
    void onWrite(long bytes) {
        writtenSinceCheck += bytes;
    }

    void onTick(boolean leader, Region region, RawNode raft, long truncatedIndex) {
        if (!leader) return;
        ticks++;
        if (ticks % heartbeatTicks == 0) heartbeat(region, raft, truncatedIndex);
        if (ticks % checkTicks == 0 && !checking
                && (!measured || writtenSinceCheck >= ctx.placement().regionSplitSize() / 8)) {
            checking = true;
            writtenSinceCheck = 0;
            if (checker == null) {
                checker = context.spawn(SplitChecker.create(ctx.engines().kv(), ctx.placement()), "split-checker",
                        IoDispatcher.SELECTOR);
            }
            checker.tell(new SplitChecker.Check(region, context.getSelf()));
        }
    }

    /**
     * Whether a split check is running or due (never measured as leader, or written to enough since):
     * such a region must not hibernate, or it would never be measured and split.
     */
    boolean checkDue() {
        return checking || !measured || writtenSinceCheck >= ctx.placement().regionSplitSize() / 8;
    }

    /** Leadership or the region changed: a new leader (or a new shape) reports at once. */
    void onLeaderOrRegionChanged(boolean leader, Region region, RawNode raft, long truncatedIndex) {
        if (leader) {
            heartbeat(region, raft, truncatedIndex);
        } else {
            measured = false;
            inactiveSince.clear();
        }
    }

    void onCheckDone(PeerCommand.SplitCheckDone done, boolean leader, Region region) {
        checking = false;
        if (done.error() != null) {
            context.getLog().warn("region {}: split check failed: {}", region.getId(), done.error());
            return;
        }
        measured = true;
        approximateSize = done.size();
        approximateKeys = done.keys();
        if (!leader || done.splitKeys().isEmpty() || !region.getRegionEpoch().equals(done.epoch())) return;
        ByteString splitKey = done.splitKeys().get(0);
        context.ask(SchedulerReply.AskSplitReply.class, ctx.scheduler(), ctx.settings().requestTimeout(),
                replyTo -> new SchedulerCommand.AskSplit(region, replyTo),
                (reply, error) -> new PeerCommand.SplitIdsArrived(splitKey, done.epoch(), reply, error));
    }

    void onSplitIds(PeerCommand.SplitIdsArrived a, boolean leader, Region region) {
        if (!(a.reply() instanceof SchedulerReply.SplitIds ids)) {
            context.getLog().info("region {}: no ids for a split: {}", region.getId(),
                    a.error() != null ? a.error().toString() : a.reply());
            return;
        }
        if (!leader || !region.getRegionEpoch().equals(a.epoch())) return; // changed meanwhile: check again
        measured = false; // measure the left half again at the next check
        context.getSelf().tell(new PeerCommand.SplitRegion(a.splitKey(), ids.newRegionId(), ids.newPeerIds(),
                context.getSystem().ignoreRef()));
    }

    /**
     * A hibernated leader's heartbeat, so that the directory keeps its region: nothing pending and no
     * peer down, since it sleeps only with every follower matched (and its raft progress is not
     * refreshed while it sleeps, so it cannot tell more).
     */
    void heartbeatWhileAsleep(Region region) {
        if (region.getPeersCount() == 0) return;
        ctx.scheduler().tell(new SchedulerCommand.RegionHeartbeat(region, self, approximateSize, approximateKeys,
                List.of(), List.of(), heartbeatReplies));
    }

    private void heartbeat(Region region, RawNode raft, long truncatedIndex) {
        if (region.getPeersCount() == 0) return;
        List<Peer> pending = new ArrayList<>();
        List<Peer> down = new ArrayList<>();
        long now = System.nanoTime();
        long downAfter = ctx.placement().maxPeerDownDuration().toNanos();
        Map<Long, ProgressStatus> progress = raft.status().progress();
        for (Peer p : region.getPeersList()) {
            if (p.getId() == self.getId()) continue;
            ProgressStatus pr = progress.get(p.getId());
            if (pr == null) continue;
            // Pending: needs a snapshot to catch up (behind the truncated log), as TiKV counts it.
            if (pr.state() == ProgressState.SNAPSHOT || pr.match() < truncatedIndex) pending.add(p);
            if (pr.recentActive()) {
                inactiveSince.remove(p.getId());
            } else {
                long since = inactiveSince.computeIfAbsent(p.getId(), id -> now);
                if (now - since >= downAfter) down.add(p);
            }
        }
        ctx.scheduler().tell(new SchedulerCommand.RegionHeartbeat(region, self, approximateSize, approximateKeys,
                pending, down, heartbeatReplies));
    }
}
