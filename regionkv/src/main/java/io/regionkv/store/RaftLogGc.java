package io.regionkv.store;

import io.regionkv.engine.Db;
import io.regionkv.engine.Keys;
import io.regionkv.engine.WriteBatch;

/**
 * Raft-log garbage collection: once a CompactLog is applied (the truncated state in the apply state moved),
 * the entries it truncated are deleted from the raft environment through the raft-log writer.
 */
public final class RaftLogGc {
    private RaftLogGc() {}

    /**
     * Deletes the entries {@code [start, end)} of a region. {@code start} may be 0 when the first remaining
     * entry is not known: the range delete then starts at whatever is there.
     */
    public static void deleteEntries(WriteBatch raftBatch, long regionId, long start, long end) {
        if (start < 0 || end < 0 || start > end) {
            throw new IllegalArgumentException("invalid log range [" + start + ", " + end + ") for region " + regionId);
        }
        if (start < end) {
            raftBatch.deleteRange(Db.RAFT, Keys.raftLogSpan(regionId, start, end));
        }
    }
}
