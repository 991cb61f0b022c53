package io.regionkv.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequential specification of one key: a register that holds a value or nothing. PUT sets it, DELETE
 * clears it, GET must return what it holds.
 *
 * <p>States and arguments are small ints so the search can hash and compare them cheaply: every value that
 * appears on the key gets an id, {@link #ABSENT} is "no value", and a GET of a value never written gets
 * {@link #NEVER_WRITTEN}, which no state equals.
 */
final class KvModel {

    static final int ABSENT = 0;
    static final int NEVER_WRITTEN = -1;
    /** What {@link #step} answers when the operation cannot happen in the given state. */
    static final int ILLEGAL = -2;

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> values = new ArrayList<>();
    private final int initial;

    /** A model for one key's {@code ops}, starting from {@code initialValue} (null: absent). */
    KvModel(List<Operation> ops, String initialValue) {
        values.add(null);
        initial = initialValue == null ? ABSENT : idOf(initialValue);
        for (Operation op : ops) {
            if (op.kind() == Operation.Kind.PUT) {
                idOf(op.input());
            }
        }
    }

    private int idOf(String value) {
        return ids.computeIfAbsent(value, v -> {
            values.add(v);
            return values.size() - 1;
        });
    }

    int initialState() {
        return initial;
    }

    /** The argument {@link #step} takes for {@code op}: the value written, or the value read. */
    int argument(Operation op) {
        return switch (op.kind()) {
            case PUT -> ids.get(op.input());
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

    String describe(int state) {
        return Operation.quote(values.get(state));
    }
}
