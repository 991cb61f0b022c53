package io.regionkv.client;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Sends commands to stores with one long-lived reply address per client, and hands each answer to the
 * attempt that waits for it, found by the request's uuid (stores echo it in every response header).
 *
 * <p>Why not {@code AskPattern}: an ask creates a temporary actor per request, schedules its timeout, and
 * makes the store resolve a never-seen actor path from text on every message (a URI parse and a cache
 * miss). Measured under load that was a tenth of the CPU a remote request cost. A fixed reply address is
 * resolved once and then found in Pekko's cache.
 *
 * <p>It also bounds what the client has outstanding at each store ({@link StoreWindow}, sized by
 * {@code regionkv.client.max-in-flight-per-store}); the surplus waits here, in order, until a slot frees.
 *
 * <p>It watches every store it sends to ({@link StoreDeathWatch}). When a store's actor terminates, the
 * attempts waiting for its answers fail at once ({@link StoreStoppedException}: sent, outcome unknown), the
 * ones queued for it fail as never sent, and nothing more is sent to that reference.
 *
 * <p>Every attempt gets a fresh uuid ({@link #nextUuid}), so a late answer to an attempt that already gave
 * up finds nobody waiting and is dropped, as it was with a dead temporary actor.
 */
final class ReplyRouter {

    /** Sent attempts waiting for their answer, by uuid; whoever removes one completes it. */
    private final ConcurrentHashMap<ByteString, Attempt> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ActorRef<StoreWire>, Window> windows = new ConcurrentHashMap<>();
    /** Stores whose actor terminated. One entry per store incarnation (a restart brings a new reference). */
    private final Set<ActorRef<?>> stopped = ConcurrentHashMap.newKeySet();
    private final ActorRef<StoreDeathWatch.Watch> deathWatch;
    private final ActorSystem<?> system;
    private final int maxInFlight;
    private final int maxQueued;
    private final ActorRef<CommandReply> inbox;
    private final long prefix;
    private final AtomicLong sequence = new AtomicLong();

    ReplyRouter(ActorSystem<?> system, Random random, int maxInFlightPerStore, int maxQueuedPerStore) {
        this.system = system;
        this.maxInFlight = maxInFlightPerStore;
        this.maxQueued = maxQueuedPerStore;
        this.prefix = random.nextLong();
        // Several clients may share a system (and a seeded random): the name only has to be unique.
        String unique = java.util.UUID.randomUUID().toString();
        this.inbox = system.systemActorOf(inbox(waiting), "regionkv-client-replies-" + unique, Props.empty());
        this.deathWatch = system.systemActorOf(StoreDeathWatch.create(this::storeStopped),
                "regionkv-client-store-watch-" + unique, Props.empty());
    }

    /** Unique among this router's attempts: a random per-client prefix and a counter. */
    ByteString nextUuid() {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(prefix).putLong(sequence.incrementAndGet()).array());
    }

    /**
     * Sends {@code request} (whose header uuid must come from {@link #nextUuid}) to {@code store} through the
     * client's window for that store ({@link StoreWindow}): at once if the window has room, else after the
     * commands queued before it. The answer completes the result. It fails with {@link TimeoutException}
     * when no answer came within {@code attemptTimeout} of sending (capped at the deadline), and with
     * {@link NotSentException} when it was never sent: the deadline passed while it waited, the queue
     * was full, or the store had stopped; and with {@link StoreStoppedException} when the store stopped
     * after it was sent.
     *
     * @param deadlineNanos  ({@link System#nanoTime}) the end of the whole operation; a queued command
     *                       waits for a slot until then
     * @param attemptTimeout how long one sent attempt may wait for its answer
     */
    CompletableFuture<RaftCmdResponse> send(ActorRef<StoreWire> store, RaftCmdRequest request, long deadlineNanos,
            Duration attemptTimeout) {
        // A store that restarts gets a new reference and so a new window; the old one keeps its commands
        // until they are answered or time out, which frees its slots.
        if (stopped.contains(store)) {
            return CompletableFuture.failedFuture(storeStoppedBeforeSending());
        }
        Window window = windows.computeIfAbsent(store, s -> {
            deathWatch.tell(new StoreDeathWatch.Watch(s));
            return new Window(new StoreWindow(maxInFlight, maxQueued), new CommandOutbox(s, inbox, system.executionContext()));
        });
        Attempt attempt = new Attempt(window, request, deadlineNanos, attemptTimeout.toNanos(), System.nanoTime());
        switch (window.slots.admit(attempt)) {
            case SEND_NOW -> dispatch(attempt);
            case QUEUED -> {
                // The store may have stopped while this was being queued: storeStopped drained the queue
                // before this entered it.
                if (window.stopped && window.slots.withdraw(attempt)) {
                    attempt.answer.completeExceptionally(storeStoppedBeforeSending());
                } else {
                    expireWhenDue(attempt);
                }
            }
            case QUEUE_FULL -> attempt.answer.completeExceptionally(new NotSentException(
                    NotSentException.Reason.QUEUE_FULL, "the client's queue for the store holds " + maxQueued
                            + " commands (regionkv.client.max-queued-per-store)"));
        }
        return attempt.answer;
    }

    /** Commands of this client outstanding at {@code store} (sent, not yet answered or timed out). */
    int inFlight(ActorRef<StoreWire> store) {
        Window w = windows.get(store);
        return w == null ? 0 : w.slots.inFlight();
    }

    /** Commands of this client waiting in its queue for {@code store}. */
    int queued(ActorRef<StoreWire> store) {
        Window w = windows.get(store);
        return w == null ? 0 : w.slots.waiting();
    }

    /**
     * The store's actor terminated: fail what waits for it (called by {@link StoreDeathWatch}). Attempts
     * already sent may have been applied, so they fail with their outcome unknown; queued ones were never
     * sent. {@link #start} checks {@link Window#stopped} after putting an attempt into {@link #waiting}, so an
     * attempt sent concurrently is failed by one side or the other (whoever removes it from there).
     */
    private void storeStopped(ActorRef<Void> store) {
        stopped.add(store);
        Window window = windows.remove(store);
        if (window == null) return;
        window.stopped = true;
        for (StoreWindow.Slot slot : window.slots.withdrawAll()) {
            Attempt a = (Attempt) slot;
            Cancellable expiry = a.expiry;
            if (expiry != null) expiry.cancel();
            a.answer.completeExceptionally(storeStoppedBeforeSending());
        }
        for (Attempt a : waiting.values()) {
            if (a.window == window && waiting.remove(a.request.getHeader().getUuid(), a)) {
                a.answer.completeExceptionally(new StoreStoppedException("the store stopped after the command was sent "
                        + (System.nanoTime() - a.issuedNanos) / 1_000_000 + " ms ago and before it answered"));
            }
        }
    }

    private static NotSentException storeStoppedBeforeSending() {
        return new NotSentException(NotSentException.Reason.STORE_STOPPED, "the store had stopped (its actor "
                + "terminated), so the command was not sent to it");
    }

    /** Fails a queued attempt "not sent" at its deadline unless it has left the queue by then. */
    private void expireWhenDue(Attempt attempt) {
        long delay = Math.max(0, attempt.deadlineNanos - System.nanoTime());
        Cancellable expiry = system.scheduler().scheduleOnce(Duration.ofNanos(delay), () -> {
            if (attempt.window.slots.withdraw(attempt)) {
                attempt.answer.completeExceptionally(notSentByDeadline(attempt));
            }
        }, system.executionContext());
        attempt.expiry = expiry;
        if (attempt.started) expiry.cancel(); // sent meanwhile: let go of it now, not at its deadline
    }

    private static NotSentException notSentByDeadline(Attempt attempt) {
        return new NotSentException(NotSentException.Reason.DEADLINE_PASSED_IN_QUEUE, "waited "
                + (System.nanoTime() - attempt.issuedNanos) / 1_000_000 + " ms in the client's queue for the store"
                + " (regionkv.client.max-in-flight-per-store commands were outstanding) and was never sent");
    }

    /**
     * Sends {@code first}, which holds a slot. One that cannot go (its deadline passed at the head of the
     * queue) passes its slot on to the next, in a loop rather than by recursion.
     */
    private void dispatch(Attempt first) {
        for (Attempt a = first; a != null; a = (Attempt) a.window.slots.release()) {
            if (start(a)) return;
        }
    }

    /** Sends an attempt that holds a slot; false (and the attempt failed) if it could not be sent. */
    private boolean start(Attempt a) {
        a.started = true; // before reading expiry: see expireWhenDue, which sets them the other way round
        Cancellable expiry = a.expiry;
        if (expiry != null) expiry.cancel();
        long remaining = a.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            a.answer.completeExceptionally(notSentByDeadline(a));
            return false;
        }
        ByteString uuid = a.request.getHeader().getUuid();
        if (waiting.putIfAbsent(uuid, a) != null) {
            a.answer.completeExceptionally(new IllegalStateException("uuid of a request already waiting for its answer"));
            return false;
        }
        long timeoutNanos = Math.min(a.attemptTimeoutNanos, remaining);
        Cancellable timer = system.scheduler().scheduleOnce(Duration.ofNanos(timeoutNanos), () -> {
            if (waiting.remove(uuid, a)) {
                a.answer.completeExceptionally(new TimeoutException("no answer within " + timeoutNanos / 1_000_000 + " ms"));
            }
        }, system.executionContext());
        // The slot frees exactly once, when the answer or the timeout completes the attempt: a store that
        // never answers holds a slot for one attempt timeout at most.
        a.answer.whenComplete((r, e) -> {
            timer.cancel();
            dispatch((Attempt) a.window.slots.release());
        });
        if (a.window.stopped) {
            // storeStopped ran meanwhile and may not have seen this attempt in `waiting`: nothing was sent yet.
            if (waiting.remove(uuid, a)) a.answer.completeExceptionally(storeStoppedBeforeSending());
            return true;
        }
        a.window.outbox.send(a.request);
        return true;
    }

    /** The window of one store and the outbox its commands leave by. */
    private static final class Window {
        final StoreWindow slots;
        final CommandOutbox outbox;
        /** Set once, when the store's actor terminated. */
        volatile boolean stopped;

        Window(StoreWindow slots, CommandOutbox outbox) {
            this.slots = slots;
            this.outbox = outbox;
        }
    }

    /** One attempt: what to send, until when, and where its answer goes. */
    private static final class Attempt extends StoreWindow.Slot {
        final Window window;
        final RaftCmdRequest request;
        final long deadlineNanos;
        final long attemptTimeoutNanos;
        final long issuedNanos;
        final CompletableFuture<RaftCmdResponse> answer = new CompletableFuture<>();
        /** The queued attempt's deadline timer; set after it was queued, so possibly after it was sent. */
        volatile Cancellable expiry;
        /** Set when it got a slot; with {@link #expiry}, so that one of the two sides cancels the timer. */
        volatile boolean started;

        Attempt(Window window, RaftCmdRequest request, long deadlineNanos, long attemptTimeoutNanos, long issuedNanos) {
            this.window = window;
            this.request = request;
            this.deadlineNanos = deadlineNanos;
            this.attemptTimeoutNanos = attemptTimeoutNanos;
            this.issuedNanos = issuedNanos;
        }
    }

    private static Behavior<CommandReply> inbox(ConcurrentHashMap<ByteString, Attempt> waiting) {
        return Behaviors.receive((ctx, reply) -> {
            for (RaftCmdResponse response : reply.responses()) {
                Attempt attempt = waiting.remove(response.getHeader().getUuid());
                if (attempt != null) {
                    attempt.answer.complete(response);
                }
            }
            return Behaviors.same();
        });
    }
}
