package io.regionkv.engine;

/** Bytes on disk that do not decode, or persisted states that contradict each other. */
public final class CorruptedDataException extends RuntimeException {
    public CorruptedDataException(String message) {
        super(message);
    }

    public CorruptedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
