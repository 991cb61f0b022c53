package io.regionkv.raft;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Storage} held in memory, for tests and benchmarks. Not thread-safe: use it from the thread
 * that drives the raft node. Like every storage it keeps a dummy entry at {@code firstIndex() - 1}
 * carrying the term of the last compacted entry.
 */
public final class MemoryStorage implements Storage {
    private HardState hardState = HardState.getDefaultInstance();
    private Snapshot snapshot = Snapshot.getDefaultInstance();
    /** ents.get(0) is the dummy entry; real entries follow. */
    private ArrayList<Entry> ents = new ArrayList<>();

    public MemoryStorage() {
        ents.add(Entry.getDefaultInstance());
    }

    @Override
    public InitialState initialState() {
        return new InitialState(hardState, snapshot.getMetadata().getConfState());
    }

    public HardState hardState() {
        return hardState;
    }

    public void setHardState(HardState hardState) {
        this.hardState = Objects.requireNonNull(hardState, "hardState");
    }

    private long offset() {
        return ents.get(0).getIndex();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSize) {
        long offset = offset();
        if (lo <= offset) {
            throw new CompactedException(lo, offset);
        }
        long last = lastIndex();
        if (hi > last + 1) {
            throw new UnavailableException(hi - 1, last);
        }
        if (lo > hi) {
            throw new IllegalArgumentException("invalid range [" + lo + ", " + hi + ")");
        }
        if (lo == hi) {
            return List.of();
        }
        // A copy: raft may keep the list while the application appends or compacts.
        return List.copyOf(Storage.limitSize(ents.subList((int) (lo - offset), (int) (hi - offset)), maxSize));
    }

    @Override
    public long term(long index) {
        long offset = offset();
        if (index < offset) {
            throw new CompactedException(index, offset);
        }
        if (index - offset >= ents.size()) {
            throw new UnavailableException(index, lastIndex());
        }
        return ents.get((int) (index - offset)).getTerm();
    }

    @Override
    public long lastIndex() {
        return offset() + ents.size() - 1;
    }

    @Override
    public long firstIndex() {
        return offset() + 1;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Replaces the whole content by a snapshot (received from a leader). */
    public void applySnapshot(Snapshot snap) {
        long index = snap.getMetadata().getIndex();
        long current = snapshot.getMetadata().getIndex();
        if (index <= current) {
            throw new IllegalArgumentException("snapshot at " + index + " is out of date (have " + current + ")");
        }
        snapshot = snap;
        ents = new ArrayList<>();
        ents.add(Entry.newBuilder().setIndex(index).setTerm(snap.getMetadata().getTerm()).build());
    }

    /**
     * Records a snapshot of the state machine at {@code index} (which must be applied by the caller).
     * Entries are not discarded: call {@link #compact} for that.
     *
     * @param confState membership at {@code index}, or null to keep the previous snapshot's
     */
    public Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
        long current = snapshot.getMetadata().getIndex();
        if (index <= current) {
            throw new IllegalArgumentException("snapshot at " + index + " is out of date (have " + current + ")");
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("snapshot index " + index + " is beyond the last index " + lastIndex());
        }
        SnapshotMetadata.Builder md = SnapshotMetadata.newBuilder()
                .setIndex(index)
                .setTerm(term(index))
                .setConfState(confState != null ? confState : snapshot.getMetadata().getConfState());
        snapshot = Snapshot.newBuilder().setMetadata(md).setData(data == null ? ByteString.EMPTY : data).build();
        return snapshot;
    }

    /** Discards entries up to {@code compactIndex}; that entry becomes the new dummy. */
    public void compact(long compactIndex) {
        long offset = offset();
        if (compactIndex <= offset) {
            throw new CompactedException(compactIndex, offset);
        }
        if (compactIndex > lastIndex()) {
            throw new IllegalArgumentException(
                    "compact index " + compactIndex + " is beyond the last index " + lastIndex());
        }
        int i = (int) (compactIndex - offset);
        Entry at = ents.get(i);
        Entry dummy = Entry.newBuilder().setIndex(at.getIndex()).setTerm(at.getTerm()).build();
        ArrayList<Entry> kept = new ArrayList<>(ents.size() - i);
        kept.add(dummy);
        kept.addAll(ents.subList(i + 1, ents.size()));
        ents = kept;
    }

    /**
     * Appends entries, replacing any conflicting tail. Entries at or below the compacted index are
     * skipped; a gap after the last index is an error.
     */
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = firstIndex();
        long last = entries.get(entries.size() - 1).getIndex();
        if (last < first) {
            return;
        }
        long firstNew = entries.get(0).getIndex();
        if (first > firstNew) {
            entries = entries.subList((int) (first - firstNew), entries.size());
            firstNew = first;
        }
        long at = firstNew - offset();
        if (at > ents.size()) {
            throw new IllegalArgumentException(
                    "missing log entries: last index " + lastIndex() + ", appending at " + firstNew);
        }
        if (at < ents.size()) {
            ents.subList((int) at, ents.size()).clear();
        }
        ents.addAll(entries);
    }
}
