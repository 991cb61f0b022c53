package io.regionkv.store;

import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.store.writer.WriterCommand;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Raft-log GC (DESIGN.md), a child actor of the peer. On the peer's GC tick it decides how far the leader's
 * log may be compacted and asks the peer to propose {@code CompactLog} (the peer stays the only proposer);
 * once a {@code CompactLog} is applied, it deletes the truncated entries through the raft-log writer.
 *
 * <p>Compaction (the truncated index, what raft serves from) follows the count limit alone; deletion (the
 * entries on disk) waits for the kv sync: the entries a {@code CompactLog} truncated are deleted only once
 * the apply batch that recorded the truncation is synced (see {@code KvSync}), so that after an OS crash
 * the log on disk still covers everything above what the kv data durably holds. Until then they sit below
 * the truncated index, where nothing reads them. Compaction used to wait for the sync as well, and asked
 * the kv writer for an early sync whenever that held it back: at 12 busy regions that was a sync every
 * second per store instead of one per {@code kv-sync-interval}, and since every sync write-protects the
 * map again, each page written after it faults once more: puts at 12 regions were a third slower
 * (BENCHMARKS.md, "Compaction no longer waits for the kv sync"). Followers always compacted above their
 * synced index (the leader's CompactLog reaches them at any time), so deletion alone was already what kept
 * the disk covered.
 *
 * <p>An early sync is still asked for when the entries kept on disk pass {@link #EARLY_SYNC_FACTOR} times
 * the count limit, so that a store writing far faster than one sync interval's worth does not hold a
 * large undeleted backlog (one busy region at 50,000 puts/s would keep a quarter of a million entries).
 */
final class LogGc extends AbstractBehavior<LogGc.Command> {

    sealed interface Command {}

    /**
     * The peer's GC tick, sent only while it leads.
     *
     * @param appliedIndex the peer's applied index
     * @param syncedAppliedIndex how much of it is durable in the kv environment
     * @param firstIndex the first entry still in the log (truncated index + 1)
     * @param minMatch the lowest match index of this peer and every follower heard from lately: a follower
     *     that needs a compacted entry costs a whole snapshot, but one that is down or cut off does not
     *     hold the log back (it gets a snapshot when it returns)
     */
    record Check(long appliedIndex, long syncedAppliedIndex, long firstIndex, long minMatch) implements Command {}

    /** The kv writer synced the region's applied data up to {@code syncedAppliedIndex}. */
    record Synced(long syncedAppliedIndex) implements Command {}

    /**
     * An applied {@code CompactLog} truncated the entries below {@code end}; the apply batch that recorded
     * it left applied index {@code appliedAt}. {@code syncedAppliedIndex} is the region's synced applied
     * index at that moment (equal to {@code appliedAt} when every kv commit is synced).
     */
    record Truncated(long end, long appliedAt, long syncedAppliedIndex) implements Command {}

    private record DeleteDone(WriteResult result) implements Command {}

    private final ActorRef<PeerCommand> peer;
    private final PeerContext ctx;
    private final long regionId;
    private final ActorRef<WriteResult> deleteResults;
    private long synced;
    /**
     * Entries below this index are deleted or being deleted; 0 until the first check says where the log
     * starts. What lies between it and the applied index is kept on disk.
     */
    private long deletedBelow;
    /** Kept entries, in count limits, past which the leader asks the kv writer to sync now. */
    static final int EARLY_SYNC_FACTOR = 8;
    /**
     * Truncations whose entries are not deleted yet, oldest first: {@code {end, appliedAt}}, each deletable
     * once synced reaches its appliedAt. Kept apart (not merged into one range) so that truncations coming
     * faster than syncs cannot hold every deletion back. A delete always starts at the region's first
     * stored entry (LMDB seeks there), so one that failed is covered by the next.
     */
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();
    /** Bound of {@link #pending}: past it the two newest merge (the older ones stay deletable). */
    private static final int MAX_PENDING = 32;

    private LogGc(ActorContext<Command> context, ActorRef<PeerCommand> peer, PeerContext ctx, long regionId,
            long syncedAppliedIndex) {
        super(context);
        this.peer = peer;
        this.ctx = ctx;
        this.regionId = regionId;
        this.synced = syncedAppliedIndex;
        this.deleteResults = context.messageAdapter(WriteResult.class, DeleteDone::new);
    }

    static Behavior<Command> create(ActorRef<PeerCommand> peer, PeerContext ctx, long regionId, long syncedAppliedIndex) {
        return Behaviors.setup(context -> new LogGc(context, peer, ctx, regionId, syncedAppliedIndex));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Check.class, this::onCheck)
                .onMessage(Synced.class, this::onSynced)
                .onMessage(Truncated.class, this::onTruncated)
                .onMessage(DeleteDone.class, this::onDeleteDone)
                .build();
    }

    private Behavior<Command> onCheck(Check c) {
        synced = Math.max(synced, c.syncedAppliedIndex());
        if (deletedBelow == 0) deletedBelow = c.firstIndex();
        long limit = ctx.settings().logGcCountLimit();
        if (c.appliedIndex() - c.firstIndex() + 1 >= limit) {
            long target = Math.min(c.appliedIndex(), c.minMatch());
            if (target >= c.firstIndex()) {
                peer.tell(new PeerCommand.CompactLogWanted(target));
            }
        }
        if (!pending.isEmpty() && c.appliedIndex() - deletedBelow >= (long) EARLY_SYNC_FACTOR * limit) {
            // Truncated entries wait on disk for the sync that covers their truncation: sync now (one
            // more sync, shared by every region asking) rather than keep many limits' worth of them.
            ctx.kvWriter().tell(WriterCommand.SyncSoon.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> onSynced(Synced s) {
        if (s.syncedAppliedIndex() <= synced) {
            return this;
        }
        synced = s.syncedAppliedIndex();
        maybeDelete();
        return this;
    }

    private Behavior<Command> onTruncated(Truncated t) {
        synced = Math.max(synced, t.syncedAppliedIndex());
        pending.addLast(new long[] {t.end(), t.appliedAt()});
        if (pending.size() > MAX_PENDING) {
            // Deleting later never hurts: the newest two wait together for the later sync.
            long[] newest = pending.pollLast();
            long[] before = pending.pollLast();
            pending.addLast(new long[] {Math.max(newest[0], before[0]), Math.max(newest[1], before[1])});
        }
        maybeDelete();
        return this;
    }

    /** Deletes below the newest truncation whose apply batch is synced, if any. */
    private void maybeDelete() {
        long end = 0;
        while (!pending.isEmpty() && pending.peekFirst()[1] <= synced) {
            end = Math.max(end, pending.pollFirst()[0]);
        }
        if (end == 0) {
            return;
        }
        deletedBelow = Math.max(deletedBelow, end);
        // The layout frees the space its own way: LMDB deletes the keys, the append log drops them from its
        // index and reclaims whole segments later.
        RaftLogBatch gc = new RaftLogBatch().compact(regionId, end);
        ctx.raftLogWriter().tell(new WriterCommand.Write(gc, end, deleteResults));
    }

    private Behavior<Command> onDeleteDone(DeleteDone d) {
        if (d.result() instanceof WriteResult.WriteFailed f) {
            // The entries stay on disk below the truncated index, where nothing reads them; the next
            // truncation's delete starts at the first stored entry and takes them along.
            getContext().getLog().warn("region {}: deleting compacted log entries below {} failed", regionId,
                    f.requestId(), f.cause());
        }
        return this;
    }
}
