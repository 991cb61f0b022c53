package io.regionkv.store;

import com.typesafe.config.Config;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.StateType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Hibernation of an idle region (TiKV's hibernate regions, CockroachDB's quiescence): one peer's sleep
 * state. A thousand idle regions otherwise tick ten times a second each and their leaders heartbeat
 * five times a second, which is most of an idle store's CPU.
 *
 * <p>A leader sleeps after {@code 2 × election-ticks} ticks in which nothing moved: no proposal, read,
 * write, snapshot, conf change or leader transfer pending, every follower matched at the last index, all
 * of it committed and applied. It first tells its followers (a {@code hibernate} raft message with its
 * term and commit index); a follower sleeps on it only when that leader is its leader in that term and
 * it has the commit index, so it lacks nothing the leader would otherwise retransmit. A sleeping peer
 * is off its store's clock ({@link RaftTicker}): it gets no ticks and no GcSnap (it removes its
 * unneeded snapshot files as it falls asleep), so it costs nothing.
 *
 * <p>Any raft message, client command or admin command wakes a peer; a leader woken by a proposal or a
 * read sends appends or heartbeats, which wake its followers. A follower that missed the hibernate
 * message keeps ticking and campaigns; its pre-vote wakes the leader, which heartbeats again. A
 * follower cannot see its leader die while it sleeps, so the store wakes every peer when a cluster
 * member becomes unreachable or leaves ({@link PeerCommand.Wake}); they campaign after an election
 * timeout. A sleeping leader still sends a region heartbeat every {@code hibernated-heartbeat-interval}
 * so that the scheduler's directory keeps it.
 */
final class Hibernation {

    /** Whether idle regions hibernate: {@code regionkv.raftstore.hibernate-regions}. */
    static final String ENABLED_SETTING = "regionkv.raftstore.hibernate-regions";
    /** How often a sleeping leader reports its region: {@code regionkv.raftstore.hibernated-heartbeat-interval}. */
    static final String HEARTBEAT_SETTING = "regionkv.raftstore.hibernated-heartbeat-interval";

    private final boolean enabled;
    private final Duration heartbeatInterval;
    private final int idleTicksBeforeSleep;
    private final TimerScheduler<PeerCommand> timers;
    private final ActorRef<RaftTicker.Command> ticker;
    private final ActorRef<PeerCommand> self;
    private int idleTicks;
    private boolean asleep;

    Hibernation(Config config, int electionTicks, TimerScheduler<PeerCommand> timers,
            ActorRef<RaftTicker.Command> ticker, ActorRef<PeerCommand> self) {
        this.enabled = config.getBoolean(ENABLED_SETTING);
        this.heartbeatInterval = config.getDuration(HEARTBEAT_SETTING);
        // Two election timeouts: a region that was just written to, or just elected, stays awake long
        // enough for its followers to apply and for a client's next request to come, so that a busy
        // region does not fall asleep between requests.
        this.idleTicksBeforeSleep = 2 * electionTicks;
        this.timers = timers;
        this.ticker = ticker;
        this.self = self;
    }

    boolean asleep() {
        return asleep;
    }

    /** Puts the peer on its store's clock (a new peer is awake). */
    void start() {
        ticker.tell(new RaftTicker.Awake(self));
    }

    /**
     * A leader's tick: the hibernate messages to send to its followers when it has been idle long
     * enough (it is asleep then), else none. {@code quiet}: nothing of the peer's own is pending.
     */
    List<RaftMessage> onLeaderTick(boolean quiet, RawNode raft, long appliedIndex, Region region, Peer self) {
        if (!enabled || asleep) return List.of();
        if (!quiet || !idle(raft, appliedIndex, region, self)) {
            idleTicks = 0;
            return List.of();
        }
        if (++idleTicks < idleTicksBeforeSleep) return List.of();
        List<RaftMessage> out = new ArrayList<>();
        long commit = raft.status().hardState().getCommit();
        for (Peer p : region.getPeersList()) {
            if (p.getId() == self.getId()) continue;
            out.add(RaftMessage.newBuilder().setRegionId(region.getId()).setFromPeer(self).setToPeer(p)
                    .setRegionEpoch(region.getRegionEpoch()).setStartKey(region.getStartKey())
                    .setEndKey(region.getEndKey()).setHibernate(true)
                    .setMessage(Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(self.getId())
                            .setTo(p.getId()).setTerm(raft.term()).setCommit(commit))
                    .build());
        }
        sleep(true);
        return out;
    }

    /** Whether the region is at rest as far as raft knows: all replicated, committed and applied. */
    private static boolean idle(RawNode raft, long appliedIndex, Region region, Peer self) {
        if (raft.state() != StateType.LEADER || raft.hasReady() || raft.hasPendingConfChange() || raft.transferring()
                || PeerMembership.hasLearner(region)) {
            return false;
        }
        var status = raft.status();
        long last = raft.lastIndex();
        if (status.hardState().getCommit() != last || appliedIndex != last) return false;
        Map<Long, ProgressStatus> progress = status.progress();
        for (Peer p : region.getPeersList()) {
            if (p.getId() == self.getId()) continue;
            ProgressStatus pr = progress.get(p.getId());
            if (pr == null || pr.match() != last) return false;
        }
        return true;
    }

    /**
     * A follower told by {@code from} to sleep: it does when that is its leader in this term and it has
     * the leader's commit index ({@code quiet}: nothing of its own pending). Answers whether it sleeps.
     */
    boolean onHibernateRequest(RaftMessage request, boolean quiet, RawNode raft) {
        if (!enabled || asleep) return asleep;
        Message m = request.getMessage();
        if (!quiet || raft.state() != StateType.FOLLOWER || raft.hasReady()
                || request.getFromPeer().getId() != raft.leader() || m.getTerm() != raft.term()
                || raft.status().hardState().getCommit() < m.getCommit()) {
            return false;
        }
        sleep(false);
        return true;
    }

    private void sleep(boolean leader) {
        asleep = true;
        idleTicks = 0;
        ticker.tell(new RaftTicker.Asleep(self));
        if (leader) timers.startTimerWithFixedDelay(PeerCommand.SleepingHeartbeat.INSTANCE, heartbeatInterval);
    }

    /**
     * What keeps this peer awake, if anything ({@code quiet}: nothing of its own pending; {@code checkDue}:
     * its region awaits a split check). For status output; decides nothing.
     */
    SleepState state(boolean quiet, boolean checkDue, RawNode raft, long appliedIndex, Region region, Peer self) {
        if (!enabled) return SleepState.OFF;
        if (asleep) return SleepState.ASLEEP;
        if (raft.state() != StateType.LEADER) return SleepState.FOLLOWER;
        if (!quiet) return SleepState.BUSY;
        if (checkDue) return SleepState.SPLIT_CHECK_DUE;
        if (!idle(raft, appliedIndex, region, self)) return SleepState.REPLICATING;
        return SleepState.SETTLING;
    }

    /** A client or admin command came: the region is in use, so the idle count starts over. */
    void onActivity() {
        idleTicks = 0;
    }

    /**
     * Whether {@code m} wakes a sleeping peer. Only a heartbeat answer does not: the answers to the
     * leader's last heartbeats before it slept arrive after it, and waking on them would keep the
     * leader from ever sleeping. It is still stepped; if it makes raft want to send (a follower turns
     * out to be behind), the peer wakes then ({@link #wakesAfterStep}).
     */
    static boolean wakes(Message m) {
        return m.getMsgType() != MessageType.MsgHeartbeatResponse;
    }

    /** After a message was stepped into a sleeping peer: wake if raft has something to do now. */
    static boolean wakesAfterStep(RawNode raft) {
        return raft.hasReady();
    }

    /** Wakes the peer if it sleeps: its clocks run again, counting the election timeout from now. */
    void wake(RawNode raft) {
        if (!asleep) return;
        idleTicks = 0;
        asleep = false;
        timers.cancel(PeerCommand.SleepingHeartbeat.INSTANCE);
        raft.restartClock();
        start();
    }
}
