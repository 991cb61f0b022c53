package io.regionkv.raft;

/**
 * The expected, recoverable refusals of a {@link Storage}. They carry no stack trace: raft uses them
 * for control flow (falling back to a snapshot, retrying later), not to report bugs.
 */
public abstract sealed class StorageException extends RuntimeException
        permits CompactedException, UnavailableException, SnapshotTemporarilyUnavailableException {

    StorageException(String message) {
        super(message, null, false, false);
    }
}
