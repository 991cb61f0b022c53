package io.regionkv.engine.raftlog;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.util.List;

/**
 * What one record of the raft log does to one region's log, in the order the record lists them. Replaying
 * the records in order rebuilds every region's log exactly as the writer left it.
 */
public sealed interface LogOp {
    long region();

    /**
     * Contiguous entries: each replaces the region's entry of the same index, and everything after the
     * last of them is dropped (raft's conflicting tail). They must start within the log or just after it.
     */
    record Append(long region, List<Entry> entries) implements LogOp {
        public Append {
            entries = List.copyOf(entries);
            if (entries.isEmpty()) throw new IllegalArgumentException("an append carries at least one entry");
            for (int i = 1; i < entries.size(); i++) {
                if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
                    throw new IllegalArgumentException("entries are not contiguous: " + entries.get(i - 1).getIndex()
                            + " is followed by " + entries.get(i).getIndex());
                }
            }
        }
    }

    /** The region's raft state (hard state, last index and term) from now on. */
    record State(long region, RaftLocalState state) implements LogOp {}

    /** Entries below {@code firstKept} are no longer needed (log GC). */
    record Compact(long region, long firstKept) implements LogOp {}

    /**
     * Every entry is gone and the log starts again at {@code firstIndex}, which the next append must have:
     * a snapshot replaced the log, or the store dropped it with its data. The raft state stays.
     */
    record Restart(long region, long firstIndex) implements LogOp {
        public Restart {
            if (firstIndex < 1) throw new IllegalArgumentException("a log restarts at index 1 or later, not " + firstIndex);
        }
    }

    /**
     * The last entry of a log the store lost with its data: the region's peer votes as if it still had it
     * (see {@code TornKvRecovery}). It outlives {@link Clear}, as the raft environment's key does.
     */
    record Fence(long region, RaftTruncatedState lastLostEntry) implements LogOp {}

    /** The region's log and raft state are gone: its peer was destroyed. */
    record Clear(long region) implements LogOp {}
}
