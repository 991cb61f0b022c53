package io.regionkv.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * A consistent snapshot of one environment: one LMDB read transaction. It does not block the writer, but
 * it pins the pages it sees, so keep it short; map growth also waits for it (see {@link ResizeGate}).
 * Everything returned is copied out of the map and stays valid after {@link #close()}.
 *
 * <p>Opened with {@code MDB_NOTLS}, so it may be handed to another thread, but it must not be used by two
 * threads at once.
 */
public final class ReadView implements AutoCloseable {

    /** Receives the pairs of a scan; answer {@code false} to stop. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    private final Engine engine;
    private final Txn<ByteBuffer> txn;
    private final ByteBuffer keyBuffer;
    private boolean closed;

    ReadView(Engine engine, Txn<ByteBuffer> txn, ByteBuffer keyBuffer) {
        this.engine = engine;
        this.txn = txn;
        this.keyBuffer = keyBuffer;
    }

    /** The value of {@code key}, or {@code null} if there is none. */
    public byte[] get(Db db, byte[] key) {
        checkOpen();
        engine.checkKey(db, key);
        ByteBuffer value = engine.dbi(db).get(txn, direct(key));
        return value == null ? null : copy(value);
    }

    /** The value of {@code key} parsed with {@code parser}, or {@code null} if there is none. */
    public <T> T get(Db db, byte[] key, Parser<T> parser) {
        byte[] bytes = get(db, key);
        if (bytes == null) {
            return null;
        }
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedDataException(
                    "undecodable value under key " + Keys.hex(key) + " in database '" + db.dbName() + "'", e);
        }
    }

    /** Up to {@code limit} pairs of {@code [start, end)} in ascending key order; empty bounds are open. */
    public List<KeyValue> scan(Db db, byte[] start, byte[] end, int limit) {
        return collect(db, start, end, limit, false);
    }

    /** Up to {@code limit} pairs of {@code [start, end)} in descending key order, starting below {@code end}. */
    public List<KeyValue> scanBackward(Db db, byte[] start, byte[] end, int limit) {
        return collect(db, start, end, limit, true);
    }

    public List<KeyValue> scan(Db db, KeySpan span, int limit) {
        return scan(db, span.start(), span.end(), limit);
    }

    /** Number of keys in {@code [start, end)}. */
    public long count(Db db, KeySpan span) {
        long[] n = {0};
        forEach(db, span.start(), span.end(), false, (k, v) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    /**
     * Visits {@code [start, end)} in ascending order, or descending when {@code backward}; the range is the
     * same in both directions. Empty bounds are open. Stops when the visitor answers {@code false}.
     */
    public void forEach(Db db, byte[] start, byte[] end, boolean backward, Visitor visitor) {
        checkOpen();
        Objects.requireNonNull(visitor, "visitor");
        engine.checkRange(db, start, end);
        if (start.length > 0 && end.length > 0 && Arrays.compareUnsigned(start, end) >= 0) {
            return;
        }
        try (Cursor<ByteBuffer> cursor = engine.dbi(db).openCursor(txn)) {
            if (backward) {
                walkBackward(cursor, start, end, visitor);
            } else {
                walkForward(cursor, start, end, visitor);
            }
        }
    }

    private void walkForward(Cursor<ByteBuffer> cursor, byte[] start, byte[] end, Visitor visitor) {
        boolean found = start.length == 0 ? cursor.first() : cursor.get(direct(start), GetOp.MDB_SET_RANGE);
        while (found) {
            byte[] key = copy(cursor.key());
            if (end.length > 0 && Arrays.compareUnsigned(key, end) >= 0) {
                return;
            }
            if (!visitor.visit(key, copy(cursor.val()))) {
                return;
            }
            found = cursor.next();
        }
    }

    private void walkBackward(Cursor<ByteBuffer> cursor, byte[] start, byte[] end, Visitor visitor) {
        boolean found;
        if (end.length == 0) {
            found = cursor.last();
        } else {
            // The first key >= end, then one step back; none at all means every key is below end.
            found = cursor.get(direct(end), GetOp.MDB_SET_RANGE) ? cursor.prev() : cursor.last();
        }
        while (found) {
            byte[] key = copy(cursor.key());
            if (start.length > 0 && Arrays.compareUnsigned(key, start) < 0) {
                return;
            }
            if (!visitor.visit(key, copy(cursor.val()))) {
                return;
            }
            found = cursor.prev();
        }
    }

    private List<KeyValue> collect(Db db, byte[] start, byte[] end, int limit, boolean backward) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        List<KeyValue> out = new ArrayList<>(Math.min(limit, 64));
        if (limit == 0) {
            engine.checkRange(db, start, end);
            return out;
        }
        forEach(db, start, end, backward, (k, v) -> {
            out.add(new KeyValue(k, v));
            return out.size() < limit;
        });
        return out;
    }

    private ByteBuffer direct(byte[] key) {
        keyBuffer.clear();
        keyBuffer.put(key).flip();
        return keyBuffer;
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("read view is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            txn.close();
        } finally {
            engine.readViewClosed();
        }
    }
}
