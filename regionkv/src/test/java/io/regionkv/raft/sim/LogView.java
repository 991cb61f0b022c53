package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Entry;
import java.util.List;

/**
 * Read access to one node's log for the {@link SafetyChecker}. Entries at or below {@link #baseIndex()}
 * were compacted into a snapshot; only the term of the base entry itself is still known.
 */
interface LogView {

    /** The compaction point: the entry just before the first available one. Its term is known. */
    long baseIndex();

    long lastIndex();

    /** Term of entry {@code i}, for {@code baseIndex() <= i <= lastIndex()}. */
    long term(long i);

    /** Entries {@code [lo, hi)}, for {@code baseIndex() < lo <= hi <= lastIndex() + 1}. */
    List<Entry> entries(long lo, long hi);
}
