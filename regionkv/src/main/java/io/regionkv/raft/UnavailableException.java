package io.regionkv.raft;

/** The requested index lies beyond the last index in storage. */
public final class UnavailableException extends StorageException {
    public UnavailableException(long index, long lastIndex) {
        super("index " + index + " is unavailable (last index " + lastIndex + ")");
    }
}
