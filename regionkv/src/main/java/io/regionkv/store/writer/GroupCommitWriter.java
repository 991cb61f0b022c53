package io.regionkv.store.writer;

import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineFullException;
import io.regionkv.engine.InvalidInputException;
import io.regionkv.engine.StorageFailedException;
import io.regionkv.engine.DurableBatch;
import io.regionkv.store.IoDispatcher;
import io.regionkv.transport.SendGate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The one writer of an LMDB environment or of the raft log ({@link CommitTarget}), folding concurrent writes into shared transactions.
 *
 * <p>An actor cannot look into its mailbox, so it batches with a marker: the first write that finds the
 * writer idle is buffered and a {@link WriterCommand.Flush} is sent to self. Writes already queued ahead of
 * the marker join the buffer; the marker commits the buffer in one transaction and one fsync and answers
 * every sender. Writes that arrive while that commit blocks queue up and form the next group by themselves.
 *
 * <p>Each write is validated on arrival, so a bad batch is answered with its error alone and never shares a
 * transaction. If a group still fails (the map cannot grow, an I/O error), its writes are retried one by one,
 * in order, so that only the culprit fails.
 *
 * <p><b>Fencing.</b> A sender's writes depend on each other: a peer's apply batch k+1 carries an apply state
 * that covers batch k. So once one write of a sender (its reply-to, which is one peer incarnation) fails,
 * every later write of that sender fails too, without touching the disk, in this group and after it;
 * otherwise k+1 could commit after k failed and leave a silent hole. The sender restarts from its durable
 * state under a new reply-to. Fire-and-forget writes (answered to the ignore ref) are neither fenced nor fence.
 *
 * <p><b>A full map.</b> When a commit finds the map full and unable to grow ({@code EngineFullException}:
 * {@code max-map-size} reached), nothing is failed. The group is written one by one as for any failure, so
 * what fits commits; the first write that does not fit goes back to the front of the buffer, and the writer
 * holds it and every write and barrier behind it until a retry with a growing backoff finds room (the bound
 * raised, see {@code Engine.setMaxMapSize}). A committed raft entry cannot be skipped, and failing its apply
 * would only restart the peer into the same wall; holding keeps every sender's order, and reads, which
 * never wait for the writer, keep working. The store refuses new writes before this happens
 * ({@link StorageGuard}); this is for what was already in flight.
 *
 * <p>An environment whose sync is deferred ({@code KvSync.DEFERRED}) is synced at the latest
 * {@code kv-sync-interval} after the first commit the last sync did not cover, whatever the load (checked
 * after every group commit as well as by a timer, since under load the timer's message waits behind the
 * writes), and once the writer has seen no commit for the idle delay, so that a quiet store is soon clean.
 * Those syncs run on a thread of their own ({@link KvSyncer}), one at a time, while the writer keeps
 * committing: before, every apply waited behind each interval's sync. Only a write that asks for a sync
 * before its answer ({@code syncBeforeReply}) syncs inline.
 * After each sync every peer whose apply batches it covered hears its highest applied index now durable
 * ({@link WriteResult.Synced}); raft-log GC must not go beyond it (see {@code KvSync}).
 */
final class GroupCommitWriter extends AbstractBehavior<WriterCommand> {
    private final CommitTarget engine;
    private final WriterSettings settings;
    private final WriterMetrics metrics;
    private final ArrayDeque<WriterCommand.Write> buffer = new ArrayDeque<>();
    private final TimerScheduler<WriterCommand> timers;
    private boolean flushQueued;
    /** Senders with a failed write, oldest first; bounded, since each is a dead peer incarnation. */
    private final Map<ActorRef<WriteResult>, Boolean> fenced = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ActorRef<WriteResult>, Boolean> eldest) {
            return size() > MAX_FENCED;
        }
    };
    /** Far more incarnations than can fail while their last writes are still queued here. */
    private static final int MAX_FENCED = 4096;
    /** A test's injected failure, or null. */
    private WriterCommand.InjectFailure injected;
    private int injectedLeft;
    /** When the first commit not covered by a sync happened (System.nanoTime), or 0 when all is synced. */
    private long unsyncedSinceNanos;
    /** When the last commit of a deferred environment ended: the idle sync waits until it is old enough. */
    private long lastCommitNanos;
    /** Per peer, its highest apply batch committed since the last sync; bounded by the number of peers. */
    private final Map<ActorRef<WriteResult>, WriteResult.Synced> unsyncedApplies = new HashMap<>();
    private boolean syncSoonQueued;
    /** The background sync's thread, spawned on first use (only a deferred environment needs it). */
    private ActorRef<KvSyncer.Sync> syncer;
    /** Token of the background sync in flight, or 0 when none is. */
    private long syncInFlight;
    private long lastSyncToken;
    /** Per peer, the apply batches the sync in flight covers; told when it finishes (or by an inline sync). */
    private Map<ActorRef<WriteResult>, WriteResult.Synced> inFlightApplies = Map.of();
    /** A sync became due while one was in flight: start the next as soon as it finishes. */
    private boolean syncAgain;
    /** A commit found the map full: writes are held until {@link WriterCommand.RetryFull} finds room. */
    private boolean full;
    private long fullBackoffMillis = MIN_FULL_BACKOFF_MILLIS;
    private static final long MIN_FULL_BACKOFF_MILLIS = 20;
    private static final long MAX_FULL_BACKOFF_MILLIS = 1000;

    private final Behavior<KvSyncer.Sync> syncerBehavior;

    /** Writes the last group commit carried, when it ended, and whether this flush already waited once. */
    private int lastGroupSize;
    private long lastGroupEndNanos;
    private boolean waitedForGroup;
    /**
     * A group of this many writes commits without waiting: the commit's cost is already shared enough
     * (about 12 µs a write), and with 1,000 regions, where commits carry 35-45 writes, waiting measured
     * slower (BENCHMARKS.md, "The raft-log writer waits for a fuller group").
     */
    private static final int FULL_ENOUGH_GROUP = 16;
    /** A last commit older than this many waits ends the busy streak: the next write commits at once. */
    private static final int BUSY_STREAK_WAITS = 4;

    /** Told once when the storage fails for good ({@link StorageFailedException}); see {@link #storageFailed}. */
    private final Consumer<StorageFailedException> onStorageFailed;
    private StorageFailedException storageFailure;
    /** Opened around the answers to writes that {@linkplain WriterCommand.Write#holdsSends hold sends}. */
    private final SendGate sendGate;

    private GroupCommitWriter(ActorContext<WriterCommand> context, TimerScheduler<WriterCommand> timers, CommitTarget engine,
            WriterSettings settings, WriterMetrics metrics, Behavior<KvSyncer.Sync> syncerBehavior,
            Consumer<StorageFailedException> onStorageFailed, SendGate sendGate) {
        super(context);
        this.timers = timers;
        this.engine = engine;
        this.settings = settings;
        this.metrics = metrics;
        this.syncerBehavior = syncerBehavior;
        this.onStorageFailed = onStorageFailed;
        this.sendGate = sendGate;
    }

    static Behavior<WriterCommand> create(Engine engine, WriterSettings settings, WriterMetrics metrics) {
        return create(CommitTarget.of(engine), settings, metrics);
    }

    static Behavior<WriterCommand> create(CommitTarget target, WriterSettings settings, WriterMetrics metrics) {
        return create(target, settings, metrics, KvSyncer.create(target));
    }

    /** With the given background syncer (tests hold a sync in flight with it). */
    static Behavior<WriterCommand> create(Engine engine, WriterSettings settings, WriterMetrics metrics,
            Behavior<KvSyncer.Sync> syncer) {
        return create(CommitTarget.of(engine), settings, metrics, syncer);
    }

    static Behavior<WriterCommand> create(CommitTarget engine, WriterSettings settings, WriterMetrics metrics,
            Behavior<KvSyncer.Sync> syncer) {
        return create(engine, settings, metrics, syncer, GroupCommitWriter::noEscalation, SendGate.NONE);
    }

    /**
     * Tells {@code onStorageFailed} when the target fails for good (see {@link #storageFailed}), and opens a
     * round of {@code sendGate} around its answers to writes that hold sends.
     */
    static Behavior<WriterCommand> create(CommitTarget target, WriterSettings settings, WriterMetrics metrics,
            Consumer<StorageFailedException> onStorageFailed, SendGate sendGate) {
        return create(target, settings, metrics, KvSyncer.create(target), onStorageFailed, sendGate);
    }

    private static Behavior<WriterCommand> create(CommitTarget engine, WriterSettings settings, WriterMetrics metrics,
            Behavior<KvSyncer.Sync> syncer, Consumer<StorageFailedException> onStorageFailed, SendGate sendGate) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new GroupCommitWriter(context, timers, engine,
                settings, metrics, syncer, onStorageFailed, sendGate)));
    }

    /**
     * For a writer with nobody to escalate to: one outside a node (tests, benchmarks), or the kv writer, whose
     * failed commit stops the peer that sent it. It still fails every write.
     */
    static void noEscalation(StorageFailedException e) {}

    @Override
    public Receive<WriterCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(WriterCommand.Write.class, this::onWrite)
                .onMessageEquals(WriterCommand.Flush.INSTANCE, this::onFlush)
                .onMessageEquals(WriterCommand.SyncIfIdle.INSTANCE, this::onSyncIfIdle)
                .onMessage(WriterCommand.Barrier.class, this::onBarrier)
                .onMessage(WriterCommand.InjectFailure.class, this::onInjectFailure)
                .onMessageEquals(WriterCommand.SyncDue.INSTANCE, this::onSyncDue)
                .onMessageEquals(WriterCommand.SyncSoon.INSTANCE, this::onSyncSoon)
                .onMessageEquals(WriterCommand.SyncSoonMarker.INSTANCE, this::onSyncSoonMarker)
                .onMessageEquals(WriterCommand.RetryFull.INSTANCE, this::onRetryFull)
                .onMessage(WriterCommand.SyncFinished.class, this::onSyncFinished)
                .onSignal(PostStop.class, signal -> onStop())
                .build();
    }

    private Behavior<WriterCommand> onWrite(WriterCommand.Write write) {
        if (fenced.containsKey(write.replyTo())) {
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), fencedError()));
            return this;
        }
        try {
            engine.validate(write.batch());
        } catch (IllegalArgumentException e) { // InvalidInputException, or a batch of the other kind
            fence(write);
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), e));
            return this;
        }
        buffer.add(write);
        if (!flushQueued) {
            flushQueued = true;
            getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
        }
        return this;
    }

    private Behavior<WriterCommand> onFlush() {
        flushQueued = false;
        if (full) return this; // RetryFull flushes
        if (shouldWaitForGroup()) {
            // The writer's own thread (a dedicated one), so nobody else waits. Then the marker goes behind
            // whatever arrived meanwhile, which joins this group.
            LockSupport.parkNanos(settings.groupWait().toNanos());
            waitedForGroup = true;
            flushQueued = true;
            getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
            return this;
        }
        waitedForGroup = false;
        List<WriterCommand.Write> group = takeGroup();
        if (!group.isEmpty()) {
            commit(group);
            lastGroupSize = group.size();
            lastGroupEndNanos = System.nanoTime();
        }
        if (!buffer.isEmpty() && !full) {
            // The bound left writes behind: they go after whatever queued up during this commit.
            flushQueued = true;
            getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
        }
        return this;
    }

    /**
     * Whether to wait {@code groupWait} for more writes before committing what is buffered. A synced commit
     * costs about the same CPU whatever it carries (about 200 µs, mostly the kernel writing pages and
     * flushing the device: BENCHMARKS.md, "The raft-log writer waits for a fuller group"), so when many
     * peers write, fewer and fuller commits leave the CPU to everything else. It waits only in a busy
     * streak (the last commit ended less than a few waits ago), and only when fewer writes are waiting
     * than that commit carried (those others are likely on their way) and fewer than a full enough group.
     * A writer fed by one peer, whose next write waits for this one's answer, carried one write last time
     * and never waits; neither does the first write after a quiet spell. At most once per group.
     */
    private boolean shouldWaitForGroup() {
        long wait = settings.groupWait().toNanos();
        return wait > 0 && !waitedForGroup && lastGroupSize >= 2
                && buffer.size() < Math.min(lastGroupSize, FULL_ENOUGH_GROUP)
                && System.nanoTime() - lastGroupEndNanos < BUSY_STREAK_WAITS * wait;
    }

    /** Commits what is buffered now (it arrived before the barrier), then answers. */
    private Behavior<WriterCommand> onBarrier(WriterCommand.Barrier barrier) {
        while (!buffer.isEmpty() && !full) {
            commit(takeGroup()); // commit keeps the sync timers, as for any group
        }
        if (full) {
            // The writes ahead of it are held: ask again once a retry may have found room.
            getContext().scheduleOnce(java.time.Duration.ofMillis(fullBackoffMillis), getContext().getSelf(), barrier);
            return this;
        }
        barrier.replyTo().tell(new WriterCommand.BarrierPassed(barrier.token()));
        return this;
    }

    private Behavior<WriterCommand> onRetryFull() {
        full = false;
        List<WriterCommand.Write> group = takeGroup();
        if (!group.isEmpty()) commit(group);
        if (!full) {
            getContext().getLog().info("{} has room again; writing the held writes", engine);
            fullBackoffMillis = MIN_FULL_BACKOFF_MILLIS;
            if (!buffer.isEmpty() && !flushQueued) {
                flushQueued = true;
                getContext().getSelf().tell(WriterCommand.Flush.INSTANCE);
            }
        }
        return this;
    }

    /** Puts {@code held} back at the front of the buffer, in order, and retries after the backoff. */
    private void holdWhileFull(List<WriterCommand.Write> held, EngineFullException e) {
        for (int i = held.size() - 1; i >= 0; i--) buffer.addFirst(held.get(i));
        if (fullBackoffMillis == MIN_FULL_BACKOFF_MILLIS) {
            getContext().getLog().warn("{}; holding {} writes until there is room", e.getMessage(), buffer.size());
        }
        full = true;
        timers.startSingleTimer(WriterCommand.RetryFull.INSTANCE, java.time.Duration.ofMillis(fullBackoffMillis));
        fullBackoffMillis = Math.min(MAX_FULL_BACKOFF_MILLIS, fullBackoffMillis * 2);
    }

    private Behavior<WriterCommand> onInjectFailure(WriterCommand.InjectFailure f) {
        injected = f;
        injectedLeft = f.count();
        return this;
    }

    private Behavior<WriterCommand> onSyncIfIdle() {
        long idleFor = System.nanoTime() - lastCommitNanos;
        long idleDelay = engine.syncIdleDelay().toNanos();
        if (idleFor < idleDelay) {
            // Commits came since the timer was armed: wait until the last one is idleDelay old.
            timers.startSingleTimer(WriterCommand.SyncIfIdle.INSTANCE, java.time.Duration.ofNanos(idleDelay - idleFor));
            return this;
        }
        syncInBackground();
        return this;
    }

    private Behavior<WriterCommand> onSyncDue() {
        syncInBackground();
        return this;
    }

    /**
     * The first request since the last sync sends a marker to the back of the mailbox; the sync happens at
     * the marker, so every request (and every write) queued meanwhile shares it.
     */
    private Behavior<WriterCommand> onSyncSoon() {
        if (!syncSoonQueued && engine.syncDeferred() && unsyncedSinceNanos != 0) {
            syncSoonQueued = true;
            getContext().getSelf().tell(WriterCommand.SyncSoonMarker.INSTANCE);
        }
        return this;
    }

    private Behavior<WriterCommand> onSyncSoonMarker() {
        syncSoonQueued = false;
        syncInBackground();
        return this;
    }

    /**
     * Starts a sync on the syncer's thread, covering every commit so far; the writer keeps committing
     * meanwhile. The peers hear of it when it finishes. One at a time: one asked for meanwhile follows it.
     */
    private void syncInBackground() {
        if (!engine.syncDeferred() || unsyncedSinceNanos == 0) {
            return;
        }
        if (syncInFlight != 0) {
            syncAgain = true;
            return;
        }
        if (syncer == null) {
            syncer = getContext().spawn(syncerBehavior, "kv-syncer", IoDispatcher.KV_SYNC);
        }
        inFlightApplies = new HashMap<>(unsyncedApplies);
        unsyncedApplies.clear();
        // Commits from here on are not covered: the next one starts a new interval (see afterCommit).
        unsyncedSinceNanos = 0;
        timers.cancel(WriterCommand.SyncDue.INSTANCE);
        timers.cancel(WriterCommand.SyncIfIdle.INSTANCE);
        syncInFlight = ++lastSyncToken;
        syncer.tell(new KvSyncer.Sync(syncInFlight, getContext().getSelf()));
    }

    private Behavior<WriterCommand> onSyncFinished(WriterCommand.SyncFinished done) {
        if (done.token() != syncInFlight) {
            return this; // not ours (cannot happen: one at a time); nothing to tell
        }
        syncInFlight = 0;
        Map<ActorRef<WriteResult>, WriteResult.Synced> covered = inFlightApplies;
        inFlightApplies = Map.of();
        if (done.failure() != null) {
            // Nothing is lost: the commits stay in the page cache and the marker stays set. Try again later.
            getContext().getLog().warn("deferred sync of {} failed; retrying after the sync interval", engine,
                    done.failure());
            covered.forEach(this::noteUnsynced);
            if (unsyncedSinceNanos == 0) {
                unsyncedSinceNanos = System.nanoTime();
                timers.startSingleTimer(WriterCommand.SyncDue.INSTANCE, engine.syncInterval());
            }
            syncAgain = false;
            return this;
        }
        metrics.synced();
        for (Map.Entry<ActorRef<WriteResult>, WriteResult.Synced> e : covered.entrySet()) {
            e.getKey().tell(e.getValue());
        }
        if (syncAgain) {
            syncAgain = false;
            syncInBackground();
        }
        return this;
    }

    /** Records that {@code synced}'s apply batches of {@code peer} wait for a sync (keeps the highest). */
    private void noteUnsynced(ActorRef<WriteResult> peer, WriteResult.Synced synced) {
        WriteResult.Synced prev = unsyncedApplies.get(peer);
        if (prev == null || prev.appliedIndex() < synced.appliedIndex()) {
            unsyncedApplies.put(peer, synced);
        }
    }

    private static void tell(List<Map.Entry<ActorRef<WriteResult>, WriteResult.Synced>> notes) {
        for (Map.Entry<ActorRef<WriteResult>, WriteResult.Synced> e : notes) {
            e.getKey().tell(e.getValue());
        }
    }

    /**
     * Syncs a deferred environment. Answers what to tell each peer whose apply batches the sync covered,
     * or null when the sync failed.
     */
    private List<Map.Entry<ActorRef<WriteResult>, WriteResult.Synced>> sync() {
        if (!engine.syncDeferred() || unsyncedSinceNanos == 0) {
            return List.of();
        }
        try {
            engine.syncIfDirty();
            metrics.synced();
        } catch (RuntimeException e) {
            // Nothing is lost: the commits stay in the page cache and the marker stays set. Try again later.
            getContext().getLog().warn("deferred sync of {} failed; retrying after the sync interval", engine, e);
            timers.startSingleTimer(WriterCommand.SyncDue.INSTANCE, engine.syncInterval());
            return null;
        }
        unsyncedSinceNanos = 0;
        timers.cancel(WriterCommand.SyncDue.INSTANCE);
        timers.cancel(WriterCommand.SyncIfIdle.INSTANCE);
        // An inline sync covers what a background sync in flight covers too: tell those now, not twice.
        inFlightApplies.forEach(this::noteUnsynced);
        inFlightApplies = Map.of();
        List<Map.Entry<ActorRef<WriteResult>, WriteResult.Synced>> notes = unsyncedApplies.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        unsyncedApplies.clear();
        return notes;
    }

    private List<WriterCommand.Write> takeGroup() {
        List<WriterCommand.Write> group = new ArrayList<>();
        long bytes = 0;
        while (!buffer.isEmpty() && group.size() < settings.maxWritesPerCommit()) {
            long size = buffer.peek().batch().approximateSize();
            if (!group.isEmpty() && bytes + size > settings.maxBytesPerCommit()) {
                break;
            }
            bytes += size;
            group.add(buffer.poll());
        }
        return group;
    }

    private void commit(List<WriterCommand.Write> group) {
        List<WriterCommand.Write> live = new ArrayList<>(group.size());
        for (WriterCommand.Write write : group) {
            if (storageFailure != null) {
                write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), storageFailure));
            } else if (fenced.containsKey(write.replyTo())) {
                write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), fencedError()));
            } else {
                live.add(write);
            }
        }
        if (live.isEmpty()) return;
        List<DurableBatch> batches = new ArrayList<>(live.size());
        for (WriterCommand.Write write : live) {
            batches.add(write.batch());
        }
        try {
            failIfInjected(live);
            long started = System.nanoTime();
            long commit = engine.commitAll(batches);
            recordCommit(live, started);
            List<Map.Entry<ActorRef<WriteResult>, WriteResult.Synced>> notes = afterCommit(live) ? sync() : List.of();
            if (notes == null) {
                // Committed but not durable: a write that needed the sync gets the failure, the others are in.
                for (WriterCommand.Write write : live) {
                    write.replyTo().tell(write.syncBeforeReply()
                            ? new WriteResult.WriteFailed(write.requestId(), new IllegalStateException(
                                    "the sync of " + engine + " failed after the commit"))
                            : new WriteResult.Written(write.requestId(), commit, live.size()));
                }
                return;
            }
            answerWritten(live, commit);
            tell(notes); // after the Written answers: a peer hears of a sync only for writes it knows are in
        } catch (StorageFailedException e) {
            storageFailed(live, e);
        } catch (RuntimeException e) {
            if (live.size() == 1 && e instanceof EngineFullException full) {
                holdWhileFull(live, full);
                return;
            }
            if (live.size() == 1) {
                WriterCommand.Write write = live.get(0);
                getContext().getLog().warn("write {} to {} failed", write.requestId(), engine, e);
                fence(write);
                write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), e));
                return;
            }
            getContext().getLog().warn("group commit of {} writes to {} failed, retrying one by one", live.size(), engine, e);
            // In order, and through the fence: after a sender's first failure none of its later writes commits.
            for (int i = 0; i < live.size(); i++) {
                commit(List.of(live.get(i)));
                if (full) {
                    // It found the map full and is held at the front: so are all after it, right behind it.
                    WriterCommand.Write held = buffer.pollFirst();
                    for (int j = live.size() - 1; j > i; j--) buffer.addFirst(live.get(j));
                    buffer.addFirst(held);
                    return;
                }
            }
        }
    }

    /**
     * Answers a committed group. The senders that will send raft messages on their answer share one round
     * of the send gate, opened before the first answer leaves, so that what they send leaves together.
     */
    private void answerWritten(List<WriterCommand.Write> group, long commit) {
        int holding = 0;
        for (WriterCommand.Write write : group) {
            if (write.holdsSends()) holding++;
        }
        SendGate.Round round = holding > 0 ? sendGate.open(holding) : SendGate.Round.NONE;
        for (WriterCommand.Write write : group) {
            write.replyTo().tell(new WriteResult.Written(write.requestId(), commit, group.size(),
                    write.holdsSends() ? round : SendGate.Round.NONE));
        }
    }

    /**
     * The storage failed for good: no write of this group, nor any later one, can commit (retrying them one
     * by one would only fail each again). Every sender is answered with the failure, and the node is told
     * once: its peers would otherwise restart into the same failure for as long as the process lives.
     */
    private void storageFailed(List<WriterCommand.Write> group, StorageFailedException e) {
        if (storageFailure == null) {
            storageFailure = e;
            getContext().getLog().error("{} failed for good; every later write to it fails", engine, e);
            onStorageFailed.accept(e);
        }
        for (WriterCommand.Write write : group) {
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(), e));
        }
    }

    /** Reports a successful group commit: its duration, its size, and each apply batch's latency. */
    private void recordCommit(List<WriterCommand.Write> group, long startedNanos) {
        long now = System.nanoTime();
        metrics.committed(group.size(), now - startedNanos);
        if (!engine.syncDeferred()) metrics.synced();
        for (WriterCommand.Write write : group) {
            if (write.appliedIndex() > 0 && write.sentNanos() != 0) metrics.applyCommitted(now - write.sentNanos());
        }
    }

    private IllegalStateException fencedError() {
        return new IllegalStateException("an earlier write of this sender to " + engine
                + " failed; refused so that none commits after it");
    }

    /** No later write of {@code failed}'s sender may commit (see the class comment, "Fencing"). */
    private void fence(WriterCommand.Write failed) {
        if (!failed.replyTo().equals(getContext().getSystem().ignoreRef())) {
            fenced.put(failed.replyTo(), Boolean.TRUE);
        }
    }

    private void failIfInjected(List<WriterCommand.Write> group) {
        if (injected == null || injectedLeft <= 0) return;
        for (WriterCommand.Write write : group) {
            if (injected.which().test(write.batch())) {
                if (group.size() == 1) injectedLeft--; // counted once per write, not per group it spoils
                throw new IllegalStateException("injected write failure (test hook)");
            }
        }
    }

    /**
     * Bookkeeping of a deferred environment after a successful commit: the sync timers, and the apply
     * batches now waiting for a sync. Answers whether to sync right away, before anyone is answered: a write
     * asked for it. When the interval has run out (under load the timer's message may wait behind many
     * writes) it starts a background sync instead; its peers hear of it after their Written answers, since
     * the answer to the syncer is a later message.
     */
    private boolean afterCommit(List<WriterCommand.Write> group) {
        if (!engine.syncDeferred()) {
            return false;
        }
        long now = System.nanoTime();
        if (unsyncedSinceNanos == 0) {
            unsyncedSinceNanos = now;
            timers.startSingleTimer(WriterCommand.SyncDue.INSTANCE, engine.syncInterval());
        }
        // Armed once per idle spell, not re-armed on every commit (a cancel and a new scheduler task per
        // commit): onSyncIfIdle checks how long ago the last one was and waits out the rest.
        lastCommitNanos = now;
        if (!timers.isTimerActive(WriterCommand.SyncIfIdle.INSTANCE)) {
            timers.startSingleTimer(WriterCommand.SyncIfIdle.INSTANCE, engine.syncIdleDelay());
        }
        boolean intervalOut = now - unsyncedSinceNanos >= engine.syncInterval().toNanos();
        boolean syncNow = false;
        for (WriterCommand.Write write : group) {
            syncNow |= write.syncBeforeReply();
            if (write.appliedIndex() > 0) {
                WriteResult.Synced prev = unsyncedApplies.get(write.replyTo());
                if (prev == null || prev.appliedIndex() < write.appliedIndex()) {
                    unsyncedApplies.put(write.replyTo(), new WriteResult.Synced(write.requestId(), write.appliedIndex()));
                }
            }
        }
        if (intervalOut && !syncNow) syncInBackground();
        return syncNow;
    }

    private Behavior<WriterCommand> onStop() {
        for (WriterCommand.Write write : buffer) {
            write.replyTo().tell(new WriteResult.WriteFailed(write.requestId(),
                    new IllegalStateException("the writer of " + engine + " stopped before committing")));
        }
        buffer.clear();
        return this;
    }
}
