package io.regionkv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Wing and Gong's linearizability search with Lowe's memoisation ({@link SearchMemo}), over one key's sub-history, the way
 * Porcupine does it: the operations' call and return events form one time-ordered doubly linked list; the
 * search linearizes a call (lifting it and its return out of the list) whenever the model allows it and the
 * resulting (set of linearized operations, state) was never seen, and backtracks (unlifting) when it hits a
 * return whose call is still in the list, since that operation had to take effect before anything later.
 *
 * <p>Pending operations return after everything else. Every write is legal in every state and a pending
 * read was dropped, so once all completed operations are placed the pending remainder linearizes at the
 * end (which is also how "it never happened" looks); the search stops there.
 *
 * <p>One reduction on top: a read that fits the current state and could go next never needs to be tried
 * later instead. Moving it to the front of any linearization that continues from here keeps that
 * linearization valid (nothing unplaced had to precede it, and it changes no state), so if the search
 * fails after placing it, it fails here too, and backtracking goes on past it without trying the other
 * candidates at its level. The search also tries such a read first: if it fails, so does the whole level.
 * This is what keeps read-heavy histories with many clients cheap.
 */
final class WglSearch {

    private static final long ZOBRIST_SEED = 0x5DEECE66DL;

    private final String key;
    private final List<Operation> ops;
    private final KvModel model;
    private final String initialValue;
    private final long deadlineNanos;
    private final long memoBytes;

    private final Operation.Kind[] kinds;
    private final int[] args;
    private final boolean[] pending;

    WglSearch(String key, List<Operation> ops, String initialValue, long deadlineNanos, long memoBytes) {
        this.key = key;
        this.ops = ops;
        this.model = new KvModel(ops, initialValue);
        this.initialValue = initialValue;
        this.deadlineNanos = deadlineNanos;
        this.memoBytes = memoBytes;
        int n = ops.size();
        kinds = new Operation.Kind[n];
        args = new int[n];
        pending = new boolean[n];
        for (int i = 0; i < n; i++) {
            Operation op = ops.get(i);
            kinds[i] = op.kind();
            args[i] = model.argument(op);
            pending[i] = op.pending();
        }
    }

    KeyResult run() {
        long start = System.nanoTime();
        int n = ops.size();
        for (int i = 0; i < n; i++) {
            if (kinds[i] == Operation.Kind.GET && !pending[i] && args[i] == KvModel.NEVER_WRITTEN) {
                return result(CheckResult.Outcome.ILLEGAL, 0, start,
                        "read of a value never written to the key: " + ops.get(i));
            }
        }
        int completed = 0;
        for (boolean p : pending) {
            completed += p ? 0 : 1;
        }
        if (completed == 0) {
            return result(CheckResult.Outcome.OK, 0, start, "");
        }

        Entry head = buildEntryList();
        long[] linearized = new long[(n + 63) >>> 6];
        long[] zobrist = new SplittableRandom(ZOBRIST_SEED).longs(n).toArray();
        long hash = 0;
        SearchMemo seen = new SearchMemo();
        Entry[] stack = new Entry[n];
        int[] stackState = new int[n];
        int depth = 0;
        int state = model.initialState();
        int placedCompleted = 0;
        int[] bestPrefix = new int[0];
        long iterations = 0;

        Entry entry = firstCandidate(head, state);
        while (true) {
            if ((iterations++ & 1023) == 0 && System.nanoTime() - deadlineNanos >= 0) {
                return result(CheckResult.Outcome.UNKNOWN, seen.size(), start,
                        "time budget exhausted after " + iterations + " steps");
            }
            if (entry.call) {
                int op = entry.op;
                int next = KvModel.step(state, kinds[op], args[op], pending[op]);
                if (next != KvModel.ILLEGAL) {
                    flip(linearized, op);
                    hash ^= zobrist[op];
                    if (seen.add(linearized, next, hash)) {
                        if (seen.bytes() > memoBytes) {
                            return result(CheckResult.Outcome.UNKNOWN, seen.size(), start,
                                    "memo budget of " + memoBytes + " bytes exhausted");
                        }
                        stack[depth] = entry;
                        stackState[depth++] = state;
                        state = next;
                        entry.lift();
                        if (!pending[op] && ++placedCompleted == completed) {
                            return result(CheckResult.Outcome.OK, seen.size(), start, "");
                        }
                        if (depth > bestPrefix.length) {
                            bestPrefix = prefix(stack, depth);
                        }
                        entry = firstCandidate(head, state);
                        continue;
                    }
                    flip(linearized, op);
                    hash ^= zobrist[op];
                }
                entry = entry.next;
            } else {
                // The operation returning here is still unplaced, yet everything later had to follow it.
                // Backtrack; past a read, keep backtracking: see the class comment.
                Entry undo;
                do {
                    if (depth == 0) {
                        return result(CheckResult.Outcome.ILLEGAL, seen.size(), start, explain(bestPrefix, initialValue));
                    }
                    undo = stack[--depth];
                    state = stackState[depth];
                    int op = undo.op;
                    flip(linearized, op);
                    hash ^= zobrist[op];
                    if (!pending[op]) {
                        placedCompleted--;
                    }
                    undo.unlift();
                } while (kinds[undo.op] == Operation.Kind.GET);
                entry = undo.next;
            }
        }
    }

    /**
     * Where to start trying candidates: a read that fits {@code state}, if one can go next (see the class
     * comment: it needs no alternatives), else the first entry.
     */
    private Entry firstCandidate(Entry head, int state) {
        for (Entry e = head.next; e.call; e = e.next) {
            if (kinds[e.op] == Operation.Kind.GET && args[e.op] == state) {
                return e;
            }
        }
        return head.next;
    }

    /**
     * Call and return events by time. At equal times calls go first, so operations that merely touch count
     * as concurrent: with a coarse clock that is the safe reading (no false ILLEGAL).
     */
    private Entry buildEntryList() {
        int n = ops.size();
        List<Entry> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Entry call = new Entry(i, true, ops.get(i).invokeNanos());
            Entry ret = new Entry(i, false, ops.get(i).returnNanos());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        events.sort((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Boolean.compare(b.call, a.call));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    private static void flip(long[] bits, int i) {
        bits[i >>> 6] ^= 1L << (i & 63);
    }

    private static int[] prefix(Entry[] stack, int depth) {
        int[] out = new int[depth];
        for (int i = 0; i < depth; i++) {
            out[i] = stack[i].op;
        }
        return out;
    }

    /** The longest prefix the search could linearize, the value it leaves, and the operations that were next. */
    private String explain(int[] best, String initialValue) {
        int n = ops.size();
        boolean[] placed = new boolean[n];
        String value = initialValue;
        for (int op : best) {
            placed[op] = true;
            Operation o = ops.get(op);
            if (o.kind() != Operation.Kind.GET) {
                value = o.input();
            }
        }
        long firstReturn = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (!placed[i] && !pending[i]) {
                firstReturn = Math.min(firstReturn, ops.get(i).returnNanos());
            }
        }
        List<Operation> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!placed[i] && ops.get(i).invokeNanos() <= firstReturn) {
                candidates.add(ops.get(i));
            }
        }
        StringBuilder sb = new StringBuilder("not linearizable; the longest linearizable prefix has ")
                .append(best.length).append(" of ").append(n).append(" operations");
        if (best.length > 0) {
            sb.append(", ending with ");
            int from = Math.max(0, best.length - 3);
            for (int i = from; i < best.length; i++) {
                sb.append(i > from ? ", " : "").append(ops.get(best[i]));
            }
        }
        sb.append("; the value is then ").append(Operation.quote(value))
                .append(" and no order of what comes next fits; next could be: ");
        for (int i = 0; i < Math.min(5, candidates.size()); i++) {
            sb.append(i > 0 ? ", " : "").append(candidates.get(i));
        }
        if (candidates.size() > 5) {
            sb.append(" and ").append(candidates.size() - 5).append(" more");
        }
        return sb.toString();
    }

    private KeyResult result(CheckResult.Outcome outcome, long states, long start, String explanation) {
        return new KeyResult(key, outcome, ops.size(), states, System.nanoTime() - start, explanation);
    }

    /** A call or return event in the doubly linked list. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }

        /** Takes this call and its return out of the list; a call always has its return somewhere after it. */
        void lift() {
            prev.next = next;
            next.prev = prev;
            match.prev.next = match.next;
            if (match.next != null) {
                match.next.prev = match.prev;
            }
        }

        /** Undoes {@link #lift()}; the neighbours' links were restored by the later lifts' undos first. */
        void unlift() {
            match.prev.next = match;
            if (match.next != null) {
                match.next.prev = match;
            }
            prev.next = this;
            next.prev = this;
        }
    }
}
