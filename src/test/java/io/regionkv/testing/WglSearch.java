package io.regionkv.testing;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Wing and Gong's linearizability search with Lowe's memoisation, over one key's sub-history, the way
 * Porcupine runs it: the operations' call and return {@link Event}s form one time-ordered list; the search
 * linearizes a call (lifting it and its return out of the list) whenever the model allows it and the
 * resulting (set of linearized operations, state) is not in the {@link SearchMemo}, and backtracks when it
 * reaches a return whose call is still in the list, since that operation had to take effect before anything
 * invoked later.
 *
 * <p>Pending operations return after everything else. Every write is legal in every state and pending reads
 * were dropped, so once all completed operations are placed the pending remainder linearizes at the end
 * (which is also how "it never happened" looks); the search stops there.
 *
 * <p>One reduction on top: a read that fits the current state and could go next never needs to be tried
 * later instead. Moving it to the front of any linearization that continues from here keeps that
 * linearization valid (nothing unplaced had to precede it, and it changes no state), so if the search fails
 * after placing it, it fails here too. Hence the search tries such a read first, and backtracks past a read
 * without trying the alternatives at its level. This is what keeps read-heavy histories with many clients
 * cheap.
 */
final class WglSearch {

    private static final long ZOBRIST_SEED = 0x5DEECE66DL;

    private final String key;
    private final List<Operation> ops;
    private final String initialValue;
    private final long deadlineNanos;
    private final long memoBytes;

    private final Operation.Kind[] kinds;
    private final int[] args;
    private final boolean[] pending;
    private final int initialState;
    private final int completed;

    // Search state.
    private final long[] zobrist;
    private final long[] linearized;
    private long hash;
    private final SearchMemo memo = new SearchMemo();
    private final Event[] stack;
    private final int[] stateBefore;
    private int depth;
    private int state;
    private int placedCompleted;

    // The deepest stack so far, for the explanation. Only what changed since the last copy is copied again,
    // so keeping it costs O(1) per step on average, not O(depth).
    private final int[] best;
    private int bestLength;
    private int unchangedBelow;

    WglSearch(String key, List<Operation> ops, String initialValue, long deadlineNanos, long memoBytes) {
        this.key = key;
        this.ops = ops;
        this.initialValue = initialValue;
        this.deadlineNanos = deadlineNanos;
        this.memoBytes = memoBytes;
        int n = ops.size();
        KvModel model = new KvModel(ops, initialValue);
        kinds = new Operation.Kind[n];
        args = new int[n];
        pending = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            Operation op = ops.get(i);
            kinds[i] = op.kind();
            args[i] = model.argument(op);
            pending[i] = op.pending();
            count += op.pending() ? 0 : 1;
        }
        initialState = model.initialState();
        completed = count;
        zobrist = new SplittableRandom(ZOBRIST_SEED).longs(n).toArray();
        linearized = new long[(n + 63) >>> 6];
        stack = new Event[n];
        stateBefore = new int[n];
        best = new int[n];
    }

    KeyResult run() {
        long start = System.nanoTime();
        for (int i = 0; i < ops.size(); i++) {
            if (kinds[i] == Operation.Kind.GET && !pending[i] && args[i] == KvModel.NEVER_WRITTEN) {
                return result(CheckResult.Outcome.ILLEGAL, start,
                        "read of a value never written to the key: " + ops.get(i));
            }
        }
        if (completed == 0) {
            return result(CheckResult.Outcome.OK, start, "");
        }
        Event head = Event.list(ops);
        state = initialState;
        Event entry = firstCandidate(head);
        for (long steps = 0; ; steps++) {
            if ((steps & 1023) == 0 && System.nanoTime() - deadlineNanos >= 0) {
                return result(CheckResult.Outcome.UNKNOWN, start, "time budget exhausted after " + steps + " steps");
            }
            if (entry.call) {
                if (!tryPlace(entry)) {
                    entry = entry.next;
                } else if (placedCompleted == completed) {
                    return result(CheckResult.Outcome.OK, start, "");
                } else if (memo.bytes() > memoBytes) {
                    return result(CheckResult.Outcome.UNKNOWN, start,
                            "memo budget of " + memoBytes + " bytes exhausted");
                } else {
                    entry = firstCandidate(head);
                }
            } else {
                // This return's operation is unplaced, yet everything after it had to follow it: backtrack.
                Event undone = backtrack();
                if (undone == null) {
                    return result(CheckResult.Outcome.ILLEGAL, start,
                            Explanation.of(ops, Arrays.copyOf(best, bestLength), initialValue));
                }
                entry = undone.next;
            }
        }
    }

    /** Linearizes {@code call}'s operation next if the model allows it and the outcome is new. */
    private boolean tryPlace(Event call) {
        int op = call.op;
        int next = KvModel.step(state, kinds[op], args[op], pending[op]);
        if (next == KvModel.ILLEGAL) {
            return false;
        }
        flip(op);
        if (!memo.add(linearized, next, hash)) {
            flip(op);
            return false;
        }
        stack[depth] = call;
        stateBefore[depth++] = state;
        state = next;
        call.lift();
        placedCompleted += pending[op] ? 0 : 1;
        if (depth > bestLength) {
            for (int i = unchangedBelow; i < depth; i++) {
                best[i] = stack[i].op;
            }
            bestLength = depth;
            unchangedBelow = depth;
        }
        return true;
    }

    /** Undoes placements up to and including the latest write; the call event of that write, or null if none. */
    private Event backtrack() {
        while (depth > 0) {
            Event undo = stack[--depth];
            unchangedBelow = Math.min(unchangedBelow, depth);
            state = stateBefore[depth];
            flip(undo.op);
            placedCompleted -= pending[undo.op] ? 0 : 1;
            undo.unlift();
            if (kinds[undo.op] != Operation.Kind.GET) {
                return undo;
            }
        }
        return null;
    }

    /** A read that fits the current state and can go next (see the class comment), else the first event. */
    private Event firstCandidate(Event head) {
        for (Event e = head.next; e.call; e = e.next) {
            if (kinds[e.op] == Operation.Kind.GET && args[e.op] == state) {
                return e;
            }
        }
        return head.next;
    }

    private void flip(int op) {
        linearized[op >>> 6] ^= 1L << (op & 63);
        hash ^= zobrist[op];
    }

    private KeyResult result(CheckResult.Outcome outcome, long start, String explanation) {
        return new KeyResult(key, outcome, ops.size(), memo.size(), System.nanoTime() - start, explanation);
    }
}
