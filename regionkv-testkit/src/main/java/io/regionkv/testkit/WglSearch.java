package io.regionkv.testkit;

import java.util.Arrays;
import java.util.Comparator;
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
 * <p>One reduction on top. Call an operation <em>inert</em> in a state when it fits that state and placing it
 * anywhere later instead could not matter: a read that returns the current value, or a write of a value no
 * read returned ({@link KvModel#UNREAD}) while the current value is also one no read returned. An inert
 * operation that could go next never needs to be tried later instead: moving it to the front of any
 * linearization that continues from here keeps that linearization valid (nothing unplaced had to precede
 * it; it leaves the state as it is; and where it stood, either nothing changed (a read) or nothing could
 * observe the change before the next write (an unread write)). So if the search fails after placing it, it
 * fails here too. Hence the search tries an inert operation first, and backtracks past one without trying
 * the alternatives at its level. This keeps histories with many concurrent clients on one key cheap.
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
    /** One past the highest linearized operation. */
    private int top;
    private int state;
    private int placedCompleted;

    // The deepest stack so far, for the explanation. Only what changed since the last copy is copied again,
    // so keeping it costs O(1) per step on average, not O(depth).
    private final int[] best;
    private int bestLength;
    private int unchangedBelow;

    /** {@code history}: the operations on {@code key}, in any order. */
    WglSearch(String key, List<Operation> history, String initialValue, long deadlineNanos, long memoBytes) {
        this.key = key;
        this.initialValue = initialValue;
        this.deadlineNanos = deadlineNanos;
        this.memoBytes = memoBytes;
        KvModel model = new KvModel(history, initialValue);
        // Dropped: pending reads (they observed nothing and change nothing) and pending writes of a value no
        // read returned (placed anywhere, nothing can observe them before the next write overwrites them, so
        // the history is linearizable with them iff it is without them). With unique values, that is nearly
        // every timed-out write, and each pending operation kept costs the search a great deal.
        // Numbering by invocation keeps the memo's sets dense below their top.
        this.ops = history.stream()
                .filter(op -> !op.pending() || op.kind() == Operation.Kind.DELETE
                        || op.kind() == Operation.Kind.PUT && model.argument(op) != KvModel.UNREAD)
                .sorted(Comparator.comparingLong(Operation::invokeNanos))
                .toList();
        int n = ops.size();
        kinds = new Operation.Kind[n];
        args = new int[n];
        pending = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            Operation op = this.ops.get(i);
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
        if (!memo.add(linearized, Math.max(top, op + 1), depth + 1, next, hash)) {
            flip(op);
            return false;
        }
        top = Math.max(top, op + 1);
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

    /** Undoes placements up to and including the latest one that was not inert; its call event, or null if none. */
    private Event backtrack() {
        while (depth > 0) {
            Event undo = stack[--depth];
            unchangedBelow = Math.min(unchangedBelow, depth);
            state = stateBefore[depth];
            flip(undo.op);
            if (undo.op + 1 == top) {
                top = highestSetBit(undo.op) + 1;
            }
            placedCompleted -= pending[undo.op] ? 0 : 1;
            undo.unlift();
            if (!inert(undo.op, state)) {
                return undo;
            }
        }
        return null;
    }

    /** An inert operation that can go next (see the class comment), else the first event. */
    private Event firstCandidate(Event head) {
        for (Event e = head.next; e.call; e = e.next) {
            if (inert(e.op, state)) {
                return e;
            }
        }
        return head.next;
    }

    private boolean inert(int op, int in) {
        return switch (kinds[op]) {
            case GET -> pending[op] || args[op] == in;
            case PUT -> args[op] == KvModel.UNREAD && in == KvModel.UNREAD;
            case DELETE -> false;
        };
    }

    /** The highest linearized operation below {@code bound}, or -1; dense sets make this a short scan. */
    private int highestSetBit(int bound) {
        for (int w = (bound - 1) >> 6; w >= 0; w--) {
            long bits = linearized[w];
            if (w == bound >>> 6) {
                bits &= (1L << (bound & 63)) - 1;
            }
            if (bits != 0) {
                return w * 64 + 63 - Long.numberOfLeadingZeros(bits);
            }
        }
        return -1;
    }

    private void flip(int op) {
        linearized[op >>> 6] ^= 1L << (op & 63);
        hash ^= zobrist[op];
    }

    private KeyResult result(CheckResult.Outcome outcome, long start, String explanation) {
        return new KeyResult(key, outcome, ops.size(), memo.size(), System.nanoTime() - start, explanation);
    }
}
