package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.raft.MemoryStorage;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's log as raft holds it when it hands out a Ready: the persisted log with the Ready's snapshot
 * and entries laid over it. Since the previous Ready was persisted before this one was taken, and a
 * Ready carries every unstable entry, this is exactly raft's in-memory log at that moment.
 */
final class ReadyLogView implements LogView {
    private final MemoryStorage storage;
    private final Snapshot snapshot;
    private final List<Entry> entries;
    private final long firstNew;

    ReadyLogView(MemoryStorage storage, Snapshot snapshot, List<Entry> entries) {
        this.storage = storage;
        this.snapshot = snapshot;
        this.entries = entries;
        this.firstNew = entries.isEmpty() ? Long.MAX_VALUE : entries.get(0).getIndex();
    }

    @Override
    public long baseIndex() {
        return snapshot != null ? snapshot.getMetadata().getIndex() : storage.firstIndex() - 1;
    }

    @Override
    public long lastIndex() {
        if (!entries.isEmpty()) {
            return entries.get(entries.size() - 1).getIndex();
        }
        return snapshot != null ? snapshot.getMetadata().getIndex() : storage.lastIndex();
    }

    @Override
    public long term(long i) {
        if (i >= firstNew) {
            return entries.get((int) (i - firstNew)).getTerm();
        }
        if (snapshot != null) {
            if (i == snapshot.getMetadata().getIndex()) {
                return snapshot.getMetadata().getTerm();
            }
            throw new IllegalArgumentException("index " + i + " is not in a log restored from snapshot " + snapshot.getMetadata());
        }
        return storage.term(i);
    }

    @Override
    public List<Entry> entries(long lo, long hi) {
        if (lo >= firstNew) {
            return entries.subList((int) (lo - firstNew), (int) (hi - firstNew));
        }
        if (snapshot != null) {
            throw new IllegalArgumentException("entries [" + lo + ", " + hi + ") are covered by snapshot " + snapshot.getMetadata());
        }
        if (hi <= firstNew) {
            return storage.entries(lo, hi, Long.MAX_VALUE);
        }
        List<Entry> out = new ArrayList<>(storage.entries(lo, firstNew, Long.MAX_VALUE));
        out.addAll(entries.subList(0, (int) (hi - firstNew)));
        return out;
    }
}
