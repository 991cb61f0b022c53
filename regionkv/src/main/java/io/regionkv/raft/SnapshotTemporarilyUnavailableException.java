package io.regionkv.raft;

/** A snapshot is being generated; raft should ask again later. */
public final class SnapshotTemporarilyUnavailableException extends StorageException {
    public SnapshotTemporarilyUnavailableException() {
        super("snapshot is temporarily unavailable");
    }
}
