package io.regionkv.engine.raftlog;

import io.regionkv.engine.DurableBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The raft-log writes of one sender, as {@link LogOp}s applied in order and atomically. Whichever layout the
 * store runs on ({@link RaftLogStore}) receives the same batch: entries travel as parsed protos and are
 * serialized once, by the layout, on the writer's thread.
 *
 * <p>Not thread-safe: fill it, hand it to the raft-log writer, and do not touch it again.
 */
public final class RaftLogBatch implements DurableBatch {
    /** What an op costs in a commit besides its entries' bytes (header, region id, index). */
    private static final int OP_OVERHEAD = 32;

    private final List<LogOp> ops = new ArrayList<>();
    private long approximateSize;

    /** See {@link LogOp.Append}; nothing is added for no entries. */
    public RaftLogBatch append(long region, List<Entry> entries) {
        if (entries.isEmpty()) return this;
        long bytes = 0;
        for (Entry e : entries) bytes += e.getSerializedSize() + 16;
        return add(new LogOp.Append(region, entries), bytes);
    }

    public RaftLogBatch state(long region, RaftLocalState state) {
        return add(new LogOp.State(region, state), state.getSerializedSize());
    }

    public RaftLogBatch fence(long region, RaftTruncatedState lastLostEntry) {
        return add(new LogOp.Fence(region, lastLostEntry), 16);
    }

    public RaftLogBatch compact(long region, long firstKept) {
        return add(new LogOp.Compact(region, firstKept), 0);
    }

    public RaftLogBatch restart(long region, long firstIndex) {
        return add(new LogOp.Restart(region, firstIndex), 0);
    }

    public RaftLogBatch clear(long region) {
        return add(new LogOp.Clear(region), 0);
    }

    private RaftLogBatch add(LogOp op, long bytes) {
        ops.add(op);
        approximateSize += bytes + OP_OVERHEAD;
        return this;
    }

    public List<LogOp> ops() {
        return Collections.unmodifiableList(ops);
    }

    @Override
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public long approximateSize() {
        return approximateSize;
    }

    @Override
    public String toString() {
        return "RaftLogBatch[" + ops.size() + " ops, " + approximateSize + " bytes]";
    }
}
