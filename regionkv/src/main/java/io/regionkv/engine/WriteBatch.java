package io.regionkv.engine;

import com.google.protobuf.MessageLite;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts, deletes and range deletes committed atomically, in the order they were added (a put after a delete
 * of the same key wins). All operations must target databases of one environment.
 *
 * <p>Not thread-safe. Fill it, then hand it over (to {@link Engine#commit} or a writer actor) and do not
 * touch it again: the writer reads it on another thread. Limits are checked by the engine at commit time,
 * because they depend on its configuration.
 */
public final class WriteBatch implements DurableBatch {
    private final List<WriteOp> ops = new ArrayList<>();
    private long approximateSize;

    public WriteBatch put(Db db, byte[] key, byte[] value) {
        return add(new WriteOp.Put(db, key, value));
    }

    /** Puts the serialized message. */
    public WriteBatch put(Db db, byte[] key, MessageLite value) {
        return put(db, key, value.toByteArray());
    }

    public WriteBatch delete(Db db, byte[] key) {
        return add(new WriteOp.Delete(db, key));
    }

    /** Deletes {@code [start, end)}; see {@link WriteOp.DeleteRange} for empty bounds. */
    public WriteBatch deleteRange(Db db, byte[] start, byte[] end) {
        return add(new WriteOp.DeleteRange(db, start, end));
    }

    public WriteBatch deleteRange(Db db, KeySpan span) {
        return deleteRange(db, span.start(), span.end());
    }

    /** Appends every operation of {@code other}. */
    public WriteBatch addAll(WriteBatch other) {
        for (WriteOp op : other.ops) {
            add(op);
        }
        return this;
    }

    private WriteBatch add(WriteOp op) {
        ops.add(op);
        approximateSize += op.approximateSize();
        return this;
    }

    public List<WriteOp> ops() {
        return Collections.unmodifiableList(ops);
    }

    @Override
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Number of operations. */
    public int size() {
        return ops.size();
    }

    /** Sum of key and value lengths. */
    @Override
    public long approximateSize() {
        return approximateSize;
    }

    @Override
    public String toString() {
        return "WriteBatch[" + ops.size() + " ops, " + approximateSize + " bytes]";
    }
}
