package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.raft.MemoryStorage;
import java.util.List;

/** The persisted log of a node: exactly what its {@link MemoryStorage} ("disk") holds. */
final class StorageLogView implements LogView {
    private final MemoryStorage storage;

    StorageLogView(MemoryStorage storage) {
        this.storage = storage;
    }

    @Override
    public long baseIndex() {
        return storage.firstIndex() - 1;
    }

    @Override
    public long lastIndex() {
        return storage.lastIndex();
    }

    @Override
    public long term(long i) {
        return storage.term(i);
    }

    @Override
    public List<Entry> entries(long lo, long hi) {
        return storage.entries(lo, hi, Long.MAX_VALUE);
    }
}
