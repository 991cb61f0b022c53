package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.List;

/**
 * The raft core's read-only view of the persisted log. Raft never writes through this interface: the
 * application persists what a {@code Ready} hands it, then calls {@code advance}. Implementations
 * are {@link MemoryStorage} (tests, benchmarks) and the raftstore's LMDB-backed {@code PeerStorage}.
 *
 * <p>Index conventions follow etcd: the storage holds a dummy entry at {@code firstIndex() - 1}
 * whose term is the term of the last compacted entry (or of the snapshot), so {@code term(firstIndex() - 1)}
 * always answers.
 */
public interface Storage {

    /** The hard state and membership saved before the last restart. */
    InitialState initialState();

    /**
     * Entries in {@code [lo, hi)}, cut so their total serialized size stays within {@code maxSize},
     * but always at least one entry when the range is not empty.
     *
     * @throws CompactedException if {@code lo <= } the compacted index
     * @throws UnavailableException if {@code hi > lastIndex() + 1}
     */
    List<Entry> entries(long lo, long hi, long maxSize);

    /** The cut {@link #entries} makes: the longest prefix within {@code maxSize} serialized bytes, but at least one entry. */
    static List<Entry> limitSize(List<Entry> ents, long maxSize) {
        int n = ents.size();
        if (n <= 1 || maxSize == Long.MAX_VALUE) {
            return ents;
        }
        long size = ents.get(0).getSerializedSize();
        for (int i = 1; i < n; i++) {
            size += ents.get(i).getSerializedSize();
            if (size > maxSize) {
                return ents.subList(0, i);
            }
        }
        return ents;
    }

    /**
     * The term of entry {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     *
     * @throws CompactedException if the entry was compacted away
     * @throws UnavailableException if the entry is beyond {@code lastIndex()}
     */
    long term(long index);

    /** Index of the last entry in storage. */
    long lastIndex();

    /** Index of the first entry still available (older ones were compacted into a snapshot). */
    long firstIndex();

    /**
     * The most recent snapshot. May throw {@link SnapshotTemporarilyUnavailableException} while one is
     * being generated; raft then retries later.
     */
    Snapshot snapshot();
}
