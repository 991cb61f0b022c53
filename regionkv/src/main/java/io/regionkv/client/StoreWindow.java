package io.regionkv.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * How many commands one client has outstanding at one store, and the commands waiting for room, in the
 * order they were issued.
 *
 * <p>Why a window: a store that is asked more than it can serve refuses the rest ({@code ServerIsBusy}),
 * and with thousands of callers every refused one comes back after its backoff, so under overload the
 * store spent most of its time refusing (BENCHMARKS.md, "20,000 in flight"), and the commands it did admit
 * waited behind the refusals in the transport's and the store's queues. Holding the surplus here instead
 * costs the store nothing, keeps the queues ahead of the peer short, and lets a command that waits past
 * its deadline fail knowing it was never sent (TiKV's client, etcd's gRPC streams and SOFAJRaft bound what
 * one client has outstanding for the same reason).
 *
 * <p>The window counts attempts, not operations: a retry (after NotLeader, a busy refusal) takes a slot
 * again and queues behind what was issued before it. Slots are handed straight from a finishing command to
 * the oldest waiting one, so while anything waits the window stays full and nothing overtakes the queue.
 *
 * <p>Thread-safe: commands are issued by callers' threads and by callbacks, and finish on the client's
 * reply actor or a timer, so every step holds this object's lock (short, no I/O under it).
 */
final class StoreWindow {

    /** What {@link #admit} decided. */
    enum Admission { SEND_NOW, QUEUED, QUEUE_FULL }

    /** One command's place in the window (extended by what is to be sent); guarded by the window's lock. */
    static class Slot {
        private enum State { NEW, QUEUED, SENT, WITHDRAWN }

        private State state = State.NEW;
    }

    private final int maxInFlight;
    private final int maxQueued;
    private final ArrayDeque<Slot> queue = new ArrayDeque<>();
    private int inFlight;
    /** Queued and not withdrawn; the deque also holds withdrawn ones until they reach its head. */
    private int waiting;

    StoreWindow(int maxInFlight, int maxQueued) {
        if (maxInFlight <= 0 || maxQueued < 0) {
            throw new IllegalArgumentException("maxInFlight must be > 0 and maxQueued >= 0, got " + maxInFlight
                    + " and " + maxQueued);
        }
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
    }

    /**
     * Takes a slot for {@code slot} if one is free and nobody waits (then it is to be sent now), else queues
     * it, else (the queue holds {@code maxQueued}) refuses it.
     */
    synchronized Admission admit(Slot slot) {
        if (slot.state != Slot.State.NEW) throw new IllegalStateException("a slot is admitted once");
        if (inFlight < maxInFlight && waiting == 0) {
            inFlight++;
            slot.state = Slot.State.SENT;
            return Admission.SEND_NOW;
        }
        if (waiting >= maxQueued) {
            return Admission.QUEUE_FULL;
        }
        if (queue.size() >= 2 * maxQueued) {
            // Withdrawn entries leave the deque only at its head; while the head waits for a slot (a store
            // that does not answer) they could pile up, so drop them here, at most once per maxQueued adds.
            queue.removeIf(s -> s.state == Slot.State.WITHDRAWN);
        }
        queue.add(slot);
        slot.state = Slot.State.QUEUED;
        waiting++;
        return Admission.QUEUED;
    }

    /**
     * Takes {@code slot} out of the queue (its deadline passed while it waited). False if it has left
     * the queue already, i.e. it was sent: then it must be left to finish as a sent command.
     */
    synchronized boolean withdraw(Slot slot) {
        if (slot.state != Slot.State.QUEUED) return false;
        slot.state = Slot.State.WITHDRAWN;
        waiting--;
        return true;
    }

    /**
     * Takes every waiting command out of the queue (the store has stopped: none of them is to be sent) and
     * returns them, oldest first, for the caller to fail. Slots held by sent commands stay taken until
     * each of those finishes.
     */
    synchronized List<Slot> withdrawAll() {
        List<Slot> out = new ArrayList<>(waiting);
        for (Slot s = queue.poll(); s != null; s = queue.poll()) {
            if (s.state == Slot.State.QUEUED) {
                s.state = Slot.State.WITHDRAWN;
                out.add(s);
            }
        }
        waiting = 0;
        return out;
    }

    /**
     * A command that held a slot finished (answered, timed out, or dropped before sending): its slot goes to
     * the oldest waiting command, which is returned to be sent; null if none waits and the slot is free.
     */
    synchronized Slot release() {
        if (inFlight <= 0) throw new IllegalStateException("released more slots than were taken");
        for (Slot next = queue.poll(); next != null; next = queue.poll()) {
            if (next.state == Slot.State.QUEUED) {
                next.state = Slot.State.SENT;
                waiting--;
                return next;
            }
        }
        inFlight--;
        return null;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waiting() {
        return waiting;
    }
}
