package io.regionkv.testkit;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sequential specification of one key: a register that holds a value or nothing. PUT sets it, DELETE
 * clears it, GET must return what it holds.
 *
 * <p>States and arguments are small ints so the search can hash and compare them cheaply. {@link #ABSENT} is
 * "no value"; each value that some read returned and some write wrote gets its own id; a read of a value
 * nothing wrote gets {@link #NEVER_WRITTEN}, which no state equals. All values that no read returned share
 * one state, {@link #UNREAD}: no read can tell them apart, so neither can anything after them, and merging
 * them lets the search recognise many more configurations as already explored.
 */
final class KvModel {

    static final int ABSENT = 0;
    static final int UNREAD = 1;
    static final int NEVER_WRITTEN = -1;
    /** What {@link #step} answers when the operation cannot happen in the given state. */
    static final int ILLEGAL = -2;

    private final Map<String, Integer> ids = new HashMap<>();
    private final int initial;

    /** A model for one key's {@code ops}, starting from {@code initialValue} (null: absent). */
    KvModel(List<Operation> ops, String initialValue) {
        Set<String> written = new HashSet<>();
        if (initialValue != null) {
            written.add(initialValue);
        }
        for (Operation op : ops) {
            if (op.kind() == Operation.Kind.PUT) {
                written.add(op.input());
            }
        }
        for (Operation op : ops) {
            if (op.kind() == Operation.Kind.GET && !op.pending() && op.output() != null
                    && written.contains(op.output())) {
                ids.putIfAbsent(op.output(), ids.size() + 2);
            }
        }
        initial = initialValue == null ? ABSENT : ids.getOrDefault(initialValue, UNREAD);
    }

    int initialState() {
        return initial;
    }

    /** The argument {@link #step} takes for {@code op}: the value written, or the value read. */
    int argument(Operation op) {
        return switch (op.kind()) {
            case PUT -> ids.getOrDefault(op.input(), UNREAD);
            case DELETE -> ABSENT;
            case GET -> op.output() == null ? ABSENT : ids.getOrDefault(op.output(), NEVER_WRITTEN);
        };
    }

    /** The state after {@code kind} with {@code argument} in {@code state}, or {@link #ILLEGAL}. */
    static int step(int state, Operation.Kind kind, int argument, boolean pending) {
        return switch (kind) {
            case PUT, DELETE -> argument;
            // A pending GET returned nothing the history saw, so any state admits it.
            case GET -> pending || argument == state ? state : ILLEGAL;
        };
    }
}
