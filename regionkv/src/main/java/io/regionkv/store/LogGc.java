package io.regionkv.store;

import io.regionkv.engine.WriteBatch;
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
 * <p>Both steps respect the region's synced applied index (see {@code KvSync}): compaction never goes above
 * it, and the entries a {@code CompactLog} truncated are deleted only once the apply batch that recorded the
 * truncation is synced, so that after an OS crash the log still covers everything above what the kv data
 * holds. When that index is what holds compaction back, the child asks the kv writer to sync now, and
 * proposes as soon as the peer forwards the sync: otherwise the log would grow by up to a whole sync
 * interval of entries beyond the count limit under heavy load.
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
    /** Compaction wanted at the last check but held back by the synced index; 0 when none. */
    private long heldBackTarget;
    private long lastFirstIndex;
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
        lastFirstIndex = c.firstIndex();
        heldBackTarget = 0;
        if (c.appliedIndex() - c.firstIndex() + 1 < ctx.settings().logGcCountLimit()) {
            return this;
        }
        long wanted = Math.min(c.appliedIndex(), c.minMatch());
        if (wanted < c.firstIndex()) {
            return this;
        }
        long target = Math.min(wanted, synced);
        if (target >= c.firstIndex()) {
            peer.tell(new PeerCommand.CompactLogWanted(target));
        }
        long keptAfter = c.appliedIndex() - Math.max(target, c.firstIndex() - 1);
        if (target < wanted && keptAfter >= ctx.settings().logGcCountLimit()) {
            // The kv sync holds compaction back so far that the log would stay over the limit: sync now
            // (one more fsync, shared by every region asking), and compact further when it is reported.
            heldBackTarget = wanted;
            ctx.kvWriter().tell(WriterCommand.SyncSoon.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> onSynced(Synced s) {
        if (s.syncedAppliedIndex() <= synced) {
            return this;
        }
        synced = s.syncedAppliedIndex();
        if (heldBackTarget > 0) {
            long target = Math.min(heldBackTarget, synced);
            heldBackTarget = 0;
            if (target >= lastFirstIndex) {
                peer.tell(new PeerCommand.CompactLogWanted(target));
            }
        }
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
        WriteBatch gc = new WriteBatch();
        RaftLogGc.deleteEntries(gc, regionId, 0, end);
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
