package io.regionkv.engine.raftlog;

import io.regionkv.engine.Db;
import io.regionkv.engine.Keys;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Entry;
import java.util.List;

/**
 * The same {@link LogOp}s written into the raft environment's LMDB layout (keys of {@link Keys}), so that
 * one description of a raft write serves both layouts. Each op becomes what the store writes today:
 * <ul>
 *   <li>{@code Append}: a put per entry, and a range delete of everything after the last one (raft's
 *   conflicting tail; deleting nothing costs one cursor seek);</li>
 *   <li>{@code State} and {@code Fence}: a put of the region's raft-state or vote-fence key;</li>
 *   <li>{@code Compact}: a range delete of the entries below the first kept;</li>
 *   <li>{@code Restart}: a range delete of every entry (the first index to come is a rule of
 *   {@link RaftLogEngine}'s index; LMDB keeps no record of it);</li>
 *   <li>{@code Clear}: a range delete of every entry and a delete of the raft state; the vote fence stays.</li>
 * </ul>
 */
public final class LmdbLogOps {
    private LmdbLogOps() {}

    /** Adds {@code ops} to {@code raftBatch}, in order. */
    public static WriteBatch addTo(List<LogOp> ops, WriteBatch raftBatch) {
        for (LogOp op : ops) {
            long region = op.region();
            if (op instanceof LogOp.Append a) {
                for (Entry e : a.entries()) raftBatch.put(Db.RAFT, Keys.raftLogKey(region, e.getIndex()), e);
                long last = a.entries().get(a.entries().size() - 1).getIndex();
                raftBatch.deleteRange(Db.RAFT, Keys.raftLogSpan(region, last + 1, -1));
            } else if (op instanceof LogOp.State s) {
                raftBatch.put(Db.RAFT, Keys.raftStateKey(region), s.state());
            } else if (op instanceof LogOp.Fence f) {
                raftBatch.put(Db.RAFT, Keys.voteFenceKey(region), f.lastLostEntry());
            } else if (op instanceof LogOp.Compact c) {
                raftBatch.deleteRange(Db.RAFT, Keys.raftLogSpan(region, 0, c.firstKept()));
            } else if (op instanceof LogOp.Restart) {
                raftBatch.deleteRange(Db.RAFT, Keys.raftLogSpan(region));
            } else if (op instanceof LogOp.Clear) {
                raftBatch.deleteRange(Db.RAFT, Keys.raftLogSpan(region));
                raftBatch.delete(Db.RAFT, Keys.raftStateKey(region));
            }
        }
        return raftBatch;
    }
}
