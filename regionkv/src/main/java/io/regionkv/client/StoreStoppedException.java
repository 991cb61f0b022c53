package io.regionkv.client;

/**
 * The store an attempt was sent to stopped (its actor terminated: the node shut down, or was removed from
 * the cluster after a crash) before it answered. The command may have been applied or not; the store will
 * never say. Internal; a write fails with {@link RegionKvTimeoutException#outcomeUnknown()}, a read is tried
 * elsewhere.
 */
final class StoreStoppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StoreStoppedException(String message) {
        super(message, null, false, false); // expected when a node goes: no stack trace to fill
    }
}
