package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * Records a history from many client threads at once. A client calls {@code invoke...} just before it sends
 * a request and completes the returned handle exactly once when the answer (or its absence) is known:
 * {@link Handle#ok}, {@link Handle#fail(boolean)} or {@link Handle#unknown()}.
 *
 * <p>A handle still open when {@link #history()} is taken counts as pending: the client may have crashed
 * after sending, so the request may yet take effect.
 */
public final class HistoryRecorder {

    private final LongSupplier clock;
    private final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();

    /** Times operations with {@link System#nanoTime()}, which is monotonic within one JVM. */
    public HistoryRecorder() {
        this(System::nanoTime);
    }

    /** Times operations with {@code clock}, which must never go backwards (tests pass a fake one). */
    public HistoryRecorder(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Handle invokePut(int clientId, String key, String value) {
        return invoke(clientId, Operation.Kind.PUT, key, Objects.requireNonNull(value, "value"));
    }

    public Handle invokePut(int clientId, byte[] key, byte[] value) {
        return invokePut(clientId, Operation.text(key), Operation.text(value));
    }

    public Handle invokeGet(int clientId, String key) {
        return invoke(clientId, Operation.Kind.GET, key, null);
    }

    public Handle invokeGet(int clientId, byte[] key) {
        return invokeGet(clientId, Operation.text(key));
    }

    public Handle invokeDelete(int clientId, String key) {
        return invoke(clientId, Operation.Kind.DELETE, key, null);
    }

    public Handle invokeDelete(int clientId, byte[] key) {
        return invokeDelete(clientId, Operation.text(key));
    }

    /**
     * A read of every key in {@code keys} at once (a scan over a range, a batch get). Its answer becomes one GET
     * per key, see {@link ScanObservations}.
     */
    public ScanHandle invokeScan(int clientId, Collection<String> keys) {
        List<String> copy = List.copyOf(keys);
        ScanHandle handle = new ScanHandle(clientId, copy, clock.getAsLong());
        recorded.add(handle);
        return handle;
    }

    private Handle invoke(int clientId, Operation.Kind kind, String key, String value) {
        Objects.requireNonNull(key, "key");
        Handle handle = new Handle(clientId, kind, key, value, clock.getAsLong());
        recorded.add(handle);
        return handle;
    }

    /** The operations so far, in invocation order; open handles appear as pending. */
    public List<Operation> history() {
        List<Operation> out = new ArrayList<>();
        for (Recorded r : recorded) {
            r.addTo(out);
        }
        return out;
    }

    private interface Recorded {
        void addTo(List<Operation> out);
    }

    private enum Status { OPEN, OK, FAILED, UNKNOWN }

    /** One single-key operation in flight. Completing it twice is a bug in the test and throws. */
    public final class Handle implements Recorded {
        private final int clientId;
        private final Operation.Kind kind;
        private final String key;
        private final String input;
        private final long invokeNanos;
        private Status status = Status.OPEN;
        private Operation completed;

        private Handle(int clientId, Operation.Kind kind, String key, String input, long invokeNanos) {
            this.clientId = clientId;
            this.kind = kind;
            this.key = key;
            this.input = input;
            this.invokeNanos = invokeNanos;
        }

        /** A PUT or DELETE was acknowledged. */
        public void ok() {
            if (kind == Operation.Kind.GET) {
                throw new IllegalStateException("a GET completes with ok(output); use ok(null) for absent");
            }
            complete(Status.OK, null);
        }

        /** A GET answered {@code output}; {@code null} means the key was absent. */
        public void ok(String output) {
            if (kind != Operation.Kind.GET) {
                throw new IllegalStateException(kind + " completes with ok(), it has no output");
            }
            complete(Status.OK, output);
        }

        public void ok(byte[] output) {
            ok(Operation.text(output));
        }

        /**
         * The request failed. {@code definite}: the system guarantees it did not and will not take effect
         * (e.g. NotLeader before proposing), so it is left out; otherwise it stays as pending.
         */
        public void fail(boolean definite) {
            complete(definite ? Status.FAILED : Status.UNKNOWN, null);
        }

        /** No answer (timeout, connection lost): the operation may or may not take effect. */
        public void unknown() {
            complete(Status.UNKNOWN, null);
        }

        private synchronized void complete(Status to, String output) {
            if (status != Status.OPEN) {
                throw new IllegalStateException("operation already completed as " + status + ": " + describe());
            }
            long now = clock.getAsLong();
            if (to == Status.OK) {
                completed = new Operation(clientId, kind, key, input, output, invokeNanos, now);
            }
            status = to;
        }

        @Override
        public synchronized void addTo(List<Operation> out) {
            switch (status) {
                case OK -> out.add(completed);
                case FAILED -> { }
                case OPEN, UNKNOWN -> out.add(
                        new Operation(clientId, kind, key, input, null, invokeNanos, Operation.PENDING));
            }
        }

        private String describe() {
            return "c" + clientId + " " + kind + " " + key;
        }
    }

    /** A multi-key read in flight. */
    public final class ScanHandle implements Recorded {
        private final int clientId;
        private final List<String> keys;
        private final long invokeNanos;
        private Status status = Status.OPEN;
        private List<Operation> completed = List.of();

        private ScanHandle(int clientId, List<String> keys, long invokeNanos) {
            this.clientId = clientId;
            this.keys = keys;
            this.invokeNanos = invokeNanos;
        }

        /** The read answered {@code result}; keys of the read set missing from it were absent. */
        public synchronized void ok(Map<String, String> result) {
            if (status != Status.OPEN) {
                throw new IllegalStateException("scan already completed as " + status);
            }
            completed = ScanObservations.toGets(clientId, keys, result, invokeNanos, clock.getAsLong());
            status = Status.OK;
        }

        /** The read failed or timed out; a read changes nothing, so it is simply left out. */
        public synchronized void fail() {
            if (status != Status.OPEN) {
                throw new IllegalStateException("scan already completed as " + status);
            }
            status = Status.FAILED;
        }

        @Override
        public synchronized void addTo(List<Operation> out) {
            out.addAll(completed);
        }
    }
}
