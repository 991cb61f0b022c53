package io.regionkv.engine.raftlog;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
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

    /** Entries below {@code firstKept} are no longer needed (log GC, or a snapshot that replaced them). */
    record Compact(long region, long firstKept) implements LogOp {}

    /** The region's log and state are gone (its peer was destroyed, or a snapshot restarts its log). */
    record Clear(long region) implements LogOp {}
}
