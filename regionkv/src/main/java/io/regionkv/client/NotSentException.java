package io.regionkv.client;

/**
 * An attempt the client never sent: it waited in the client's queue for its store ({@link StoreWindow})
 * until its deadline, found that queue full, or was meant for a store that has stopped. Nothing reached a
 * store, so the command's outcome is known: not applied. Internal; callers see {@link RegionKvTimeoutException#neverSent()} or a
 * {@link RegionKvBusyException} without a store error.
 */
final class NotSentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why it was not sent. */
    enum Reason {
        DEADLINE_PASSED_IN_QUEUE,
        QUEUE_FULL,
        /** The store's actor terminated: another store (the region's new leader) may serve it. */
        STORE_STOPPED
    }

    private final Reason reason;

    NotSentException(Reason reason, String message) {
        super(message, null, false, false); // expected under load: no stack trace to fill
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
