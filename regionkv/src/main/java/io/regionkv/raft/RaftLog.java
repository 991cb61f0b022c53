package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The raft log as raft sees it: what is persisted ({@link Storage}) followed by what is not yet
 * ({@link Unstable}), with three cursors. {@code committed} is known replicated on a quorum;
 * {@code applying} is the highest index handed to the application in a Ready; {@code applied} is what
 * the application reports as really applied. Always {@code applied <= applying <= committed}.
 */
final class RaftLog {
    final Storage storage;
    final Unstable unstable;
    long committed;
    long applying;
    long applied;
    private final long maxApplyingSize;

    RaftLog(Storage storage, long maxApplyingSize) {
        this.storage = storage;
        this.maxApplyingSize = maxApplyingSize;
        long first = storage.firstIndex();
        long last = storage.lastIndex();
        this.unstable = new Unstable(last + 1);
        this.committed = first - 1;
        this.applying = first - 1;
        this.applied = first - 1;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i >= 0 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i >= 0 ? i : storage.lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /**
     * Term of entry {@code i}.
     *
     * @throws CompactedException below the first index minus one
     * @throws UnavailableException beyond the last index
     */
    long term(long i) {
        long dummy = firstIndex() - 1;
        if (i < dummy) {
            throw new CompactedException(i, dummy);
        }
        long last = lastIndex();
        if (i > last) {
            throw new UnavailableException(i, last);
        }
        long t = unstable.maybeTerm(i);
        if (t >= 0) {
            return t;
        }
        return storage.term(i);
    }

    /** Term of entry {@code i}, or 0 when it is compacted or beyond the log. */
    long termOrZero(long i) {
        try {
            return term(i);
        } catch (StorageException e) {
            return 0;
        }
    }

    boolean matchTerm(long i, long t) {
        if (i < firstIndex() - 1 || i > lastIndex()) {
            return false;
        }
        return termOrZero(i) == t;
    }

    /** Whether a log ending at ({@code lastIndex}, {@code lastTerm}) is at least as up to date as ours. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        long ourTerm = lastTerm();
        return lastTerm > ourTerm || (lastTerm == ourTerm && lastIndex >= lastIndex());
    }

    /**
     * Appends a leader's entries that follow ({@code index}, {@code logTerm}), truncating a conflicting
     * tail, and advances the commit index up to what the leader says and the entries confirm.
     *
     * @return the index of the last entry the message covered, or -1 when ({@code index},
     *     {@code logTerm}) is not in our log and the append is rejected
     */
    long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(index, logTerm)) {
            return -1;
        }
        long lastNew = index + ents.size();
        long ci = findConflict(ents);
        if (ci != 0) {
            if (ci <= committed) {
                throw new IllegalStateException(
                        "entry " + ci + " conflicts with a committed entry (committed " + committed + ")");
            }
            append(ents.subList((int) (ci - (index + 1)), ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** Appends entries that directly follow or overwrite part of the log; returns the new last index. */
    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        long after = ents.get(0).getIndex() - 1;
        if (after < committed) {
            throw new IllegalStateException("appending after " + after + " would overwrite committed " + committed);
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    /**
     * The index of the first entry whose term differs from ours (or that we do not have), or 0 when all
     * given entries are already in the log.
     */
    long findConflict(List<Entry> ents) {
        for (int i = 0, n = ents.size(); i < n; i++) {
            Entry e = ents.get(i);
            if (!matchTerm(e.getIndex(), e.getTerm())) {
                return e.getIndex();
            }
        }
        return 0;
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term}: every entry above
     * it is known not to match a log whose entry {@code index} has term {@code term}, so a leader can
     * skip a whole term of mismatching entries per round trip.
     */
    long findConflictByTerm(long index, long term) {
        for (long i = index; i > 0; i--) {
            long t;
            try {
                t = term(i);
            } catch (StorageException e) {
                return i;
            }
            if (t <= term) {
                return i;
            }
        }
        return 0;
    }

    boolean hasUnstableEntries() {
        return !unstable.entries.isEmpty();
    }

    /** A read-only view of the entries not yet persisted; valid until the log changes. */
    List<Entry> unstableEntries() {
        if (unstable.entries.isEmpty()) {
            return List.of();
        }
        return unstable.slice(unstable.offset, unstable.offset + unstable.entries.size());
    }

    boolean hasPendingSnapshot() {
        return unstable.snapshot != null;
    }

    /** Whether committed entries wait to be handed to the application. */
    boolean hasNextCommittedEnts() {
        if (unstable.snapshot != null) {
            return false;
        }
        return committed >= Math.max(applying + 1, firstIndex());
    }

    /**
     * The committed entries not yet handed to the application, up to the size budget. None while a
     * snapshot waits to be persisted and applied: the entries after it come next.
     */
    List<Entry> nextCommittedEnts() {
        if (unstable.snapshot != null) {
            return List.of();
        }
        long lo = Math.max(applying + 1, firstIndex());
        if (committed < lo) {
            return List.of();
        }
        return List.copyOf(slice(lo, committed + 1, maxApplyingSize));
    }

    Snapshot snapshot() {
        return unstable.snapshot != null ? unstable.snapshot : storage.snapshot();
    }

    /**
     * The last index known persisted and consistent with this log: entries below the unstable offset are
     * in storage. 0 when a snapshot waits to be persisted, since storage then predates it.
     */
    long persistedIndex() {
        return unstable.snapshot != null ? 0 : unstable.offset - 1;
    }

    void commitTo(long toCommit) {
        if (committed < toCommit) {
            long last = lastIndex();
            if (last < toCommit) {
                throw new IllegalStateException("commit index " + toCommit + " is beyond the last index " + last);
            }
            committed = toCommit;
        }
    }

    /** Commits up to {@code maxIndex} if that entry is of {@code term} (raft only counts current-term entries). */
    boolean maybeCommit(long maxIndex, long term) {
        if (maxIndex > committed && termOrZero(maxIndex) == term) {
            commitTo(maxIndex);
            return true;
        }
        return false;
    }

    /** Entries up to {@code i} were handed to the application. */
    void acceptApplying(long i) {
        if (i > applying) {
            applying = i;
        }
    }

    /** The application finished applying up to {@code i}. */
    void appliedTo(long i) {
        if (i < applied || i > committed) {
            throw new IllegalArgumentException(
                    "applied index " + i + " out of range [" + applied + ", " + committed + "] (applied, committed)");
        }
        applied = i;
        if (applying < i) {
            applying = i;
        }
    }

    void stableTo(long i, long t) {
        unstable.stableTo(i, t);
    }

    void stableSnapTo(long i) {
        unstable.stableSnapTo(i);
    }

    /** Replaces the whole log by a snapshot received from the leader. */
    void restore(Snapshot s) {
        committed = s.getMetadata().getIndex();
        unstable.restore(s);
    }

    /** Entries from {@code i} to the end, within {@code maxSize} bytes (at least one). */
    List<Entry> entries(long i, long maxSize) {
        long last = lastIndex();
        if (i > last) {
            return List.of();
        }
        return slice(i, last + 1, maxSize);
    }

    /** Every entry still available, for tests and debugging. */
    List<Entry> allEntries() {
        return List.copyOf(entries(firstIndex(), Long.MAX_VALUE));
    }

    /**
     * Entries {@code [lo, hi)} within {@code maxSize} bytes (at least one). The result may be a view of
     * internal state: use it before the log changes, or copy it.
     *
     * @throws CompactedException if {@code lo} is below the first index
     */
    List<Entry> slice(long lo, long hi, long maxSize) {
        long first = firstIndex();
        if (lo < first) {
            throw new CompactedException(lo, first - 1);
        }
        long last = lastIndex();
        if (lo > hi || hi > last + 1) {
            throw new IllegalArgumentException("slice [" + lo + ", " + hi + ") out of bounds [" + first + ", " + last + "]");
        }
        if (lo == hi) {
            return List.of();
        }
        long uoff = unstable.offset;
        if (hi <= uoff) {
            return storage.entries(lo, hi, maxSize);
        }
        if (lo >= uoff) {
            return Storage.limitSize(unstable.slice(lo, hi), maxSize);
        }
        List<Entry> stored = storage.entries(lo, uoff, maxSize);
        if (stored.size() < uoff - lo) {
            return stored;
        }
        List<Entry> tail = unstable.slice(uoff, hi);
        ArrayList<Entry> combined = new ArrayList<>(stored.size() + tail.size());
        combined.addAll(stored);
        combined.addAll(tail);
        return Storage.limitSize(combined, maxSize);
    }


    @Override
    public String toString() {
        return "RaftLog{committed=" + committed + ", applying=" + applying + ", applied=" + applied
                + ", unstable.offset=" + unstable.offset + ", unstable.len=" + unstable.entries.size() + "}";
    }
}
