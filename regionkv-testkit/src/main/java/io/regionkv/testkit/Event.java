package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * A call or return event of an operation, linked with the others in time order. The search lifts an
 * operation's two events out of the list when it linearizes the operation and puts them back, in reverse
 * order of lifting, when it backtracks; lifted events keep their own links, which is what makes putting
 * them back O(1).
 */
final class Event {

    final int op;
    final boolean call;
    private final long time;
    /** A call's return event; null for a return. */
    private Event match;
    Event prev;
    Event next;

    private Event(int op, boolean call, long time) {
        this.op = op;
        this.call = call;
        this.time = time;
    }

    /**
     * The events of {@code ops} (operation {@code i} is {@code ops.get(i)}) by time, behind a head sentinel that
     * is never lifted. At equal times calls go first, so operations that merely touch count as concurrent: with
     * a coarse clock that is the safe reading (no false ILLEGAL). Pending operations return at
     * {@link Operation#PENDING}, after every completed one.
     */
    static Event list(List<Operation> ops) {
        List<Event> events = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Event call = new Event(i, true, ops.get(i).invokeNanos());
            call.match = new Event(i, false, ops.get(i).returnNanos());
            events.add(call);
            events.add(call.match);
        }
        events.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(b.call, a.call));
        Event head = new Event(-1, false, Long.MIN_VALUE);
        Event last = head;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    /** Takes this call and its return out of the list; a call's return always comes somewhere after it. */
    void lift() {
        prev.next = next;
        next.prev = prev;
        match.prev.next = match.next;
        if (match.next != null) {
            match.next.prev = match.prev;
        }
    }

    /** Undoes {@link #lift()}; every lift done after this one has been undone already. */
    void unlift() {
        match.prev.next = match;
        if (match.next != null) {
            match.next.prev = match;
        }
        prev.next = this;
        next.prev = this;
    }
}
