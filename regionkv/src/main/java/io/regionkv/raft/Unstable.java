package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tail of the log that raft holds but the application has not yet persisted: entries from
 * {@code offset} on, and possibly an incoming snapshot that precedes them.
 */
final class Unstable {
    /** Lists larger than this are dropped rather than cleared once persisted, so a burst does not pin memory. */
    private static final int KEEP_CAPACITY = 4096;

    Snapshot snapshot;
    ArrayList<Entry> entries = new ArrayList<>();
    /** Index of {@code entries.get(0)}. */
    long offset;

    Unstable(long offset) {
        this.offset = offset;
    }

    /** First index of the log if it is known here (only with a pending snapshot), else -1. */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
    }

    /** Last index of the log if it is known here, else -1. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
    }

    /** Term of entry {@code i} if it is known here, else -1. */
    long maybeTerm(long i) {
        if (i < offset) {
            if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
                return snapshot.getMetadata().getTerm();
            }
            return -1;
        }
        long last = maybeLastIndex();
        if (last < 0 || i > last) {
            return -1;
        }
        return entries.get((int) (i - offset)).getTerm();
    }

    /**
     * Entries up to {@code i} (of term {@code t}) were persisted. Ignored when the entry has since been
     * replaced by a different term: the newer entry still waits for its own persistence.
     */
    void stableTo(long i, long t) {
        long gt = maybeTerm(i);
        if (gt < 0 || gt != t || i < offset) {
            return;
        }
        int n = (int) (i + 1 - offset);
        if (n >= entries.size()) {
            if (entries.size() > KEEP_CAPACITY) {
                entries = new ArrayList<>();
            } else {
                entries.clear();
            }
        } else {
            entries.subList(0, n).clear();
        }
        offset = i + 1;
    }

    void stableSnapTo(long i) {
        if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
            snapshot = null;
        }
    }

    void restore(Snapshot s) {
        offset = s.getMetadata().getIndex() + 1;
        entries = new ArrayList<>();
        snapshot = s;
    }

    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).getIndex();
        long end = offset + entries.size();
        if (after == end) {
            entries.addAll(ents);
        } else if (after <= offset) {
            // Replaces everything held here, including entries that a Ready may be persisting now:
            // their stableTo will then find a different term and be ignored.
            offset = after;
            entries = new ArrayList<>(ents);
        } else if (after < end) {
            entries.subList((int) (after - offset), entries.size()).clear();
            entries.addAll(ents);
        } else {
            throw new IllegalStateException("gap in the log: appending at " + after + " after last index " + (end - 1));
        }
    }

    /** A read-only view of entries {@code [lo, hi)}; valid until the next change of this log. */
    List<Entry> slice(long lo, long hi) {
        if (lo > hi || lo < offset || hi > offset + entries.size()) {
            throw new IllegalStateException("unstable slice [" + lo + ", " + hi + ") out of bounds [" + offset + ", "
                    + (offset + entries.size()) + ")");
        }
        return Collections.unmodifiableList(entries.subList((int) (lo - offset), (int) (hi - offset)));
    }
}
