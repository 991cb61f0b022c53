package io.regionkv.raft;

/** The requested index lies at or below the compacted index: only a snapshot can supply it. */
public final class CompactedException extends StorageException {
    public CompactedException(long index, long compactedIndex) {
        super("index " + index + " is compacted (compacted index " + compactedIndex + ")");
    }
}
