package io.regionkv.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One client operation on a single key, as a history records it.
 *
 * <p>Values are strings; {@code null} stands for "absent". A completed GET's {@code output} is the value it
 * read ({@code null}: the key was absent). PUT carries its value in {@code input}; DELETE and GET carry none.
 *
 * <p>An operation whose outcome is unknown (timeout, crash, connection lost) is <em>pending</em>: its
 * {@code returnNanos} is {@link #PENDING}, its output is unknown (null), and the checker lets it take
 * effect at any instant after its invocation, or never. An operation that definitely did not happen
 * should not be recorded at all.
 *
 * <p>Keys and values coming as bytes are turned into strings with {@link #text(byte[])}, which maps each
 * byte to one char (ISO-8859-1) and so loses nothing.
 */
public record Operation(
        int clientId, Kind kind, String key, String input, String output, long invokeNanos, long returnNanos) {

    /** Return time of an operation that never returned: later than every real instant. */
    public static final long PENDING = Long.MAX_VALUE;

    /** The single-key operations of the KV model. */
    public enum Kind { PUT, GET, DELETE }

    public Operation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (returnNanos < invokeNanos) {
            throw new IllegalArgumentException(
                    "operation returns before it is invoked: invoke=" + invokeNanos + " return=" + returnNanos);
        }
        if (kind == Kind.PUT && input == null) {
            throw new IllegalArgumentException("PUT of key '" + key + "' needs a value");
        }
        if (kind != Kind.PUT && input != null) {
            throw new IllegalArgumentException(kind + " of key '" + key + "' takes no input value");
        }
        if (kind != Kind.GET && output != null) {
            throw new IllegalArgumentException(kind + " of key '" + key + "' has no output value");
        }
        if (returnNanos == PENDING && output != null) {
            throw new IllegalArgumentException("a pending operation has no known output");
        }
    }

    public static Operation put(int clientId, String key, String value, long invokeNanos, long returnNanos) {
        return new Operation(clientId, Kind.PUT, key, value, null, invokeNanos, returnNanos);
    }

    /** A completed GET that read {@code output}; {@code null} means the key was absent. */
    public static Operation get(int clientId, String key, String output, long invokeNanos, long returnNanos) {
        return new Operation(clientId, Kind.GET, key, null, output, invokeNanos, returnNanos);
    }

    public static Operation delete(int clientId, String key, long invokeNanos, long returnNanos) {
        return new Operation(clientId, Kind.DELETE, key, null, null, invokeNanos, returnNanos);
    }

    /** A PUT that never answered: it may have been applied at any time after {@code invokeNanos}, or not at all. */
    public static Operation pendingPut(int clientId, String key, String value, long invokeNanos) {
        return put(clientId, key, value, invokeNanos, PENDING);
    }

    /** A DELETE that never answered. */
    public static Operation pendingDelete(int clientId, String key, long invokeNanos) {
        return delete(clientId, key, invokeNanos, PENDING);
    }

    /** Bytes as a string that maps each byte to one char, so distinct byte arrays stay distinct; null stays null. */
    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The inverse of {@link #text(byte[])}. */
    public static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.ISO_8859_1);
    }

    public boolean pending() {
        return returnNanos == PENDING;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case PUT -> "PUT " + key + "=" + quote(input);
            case DELETE -> "DELETE " + key;
            case GET -> "GET " + key + (pending() ? " -> ?" : " -> " + quote(output));
        };
        return "c" + clientId + " " + what + " [" + invokeNanos + ", " + (pending() ? "pending)" : returnNanos + "]");
    }

    static String quote(String value) {
        return value == null ? "absent" : "'" + value + "'";
    }
}
