package io.regionkv.client;

/**
 * An operation did not complete within its deadline ({@code regionkv.client.request-timeout}).
 *
 * <p>When {@link #outcomeUnknown()} is true a write was sent and never answered: it may or may not
 * have been applied, or be applied later. The client never resends such a write (see
 * {@link RegionKvClient}); the caller has to read back to find out. When false, nothing the operation
 * did took effect: every attempt was refused by a definite error, or none could be sent. When
 * {@link #neverSent()} is true, the last attempt waited in the client's own queue for its store until the
 * deadline (the client had {@code regionkv.client.max-in-flight-per-store} commands outstanding there) and
 * never left this process: its outcome is known, not applied.
 */
public final class RegionKvTimeoutException extends RegionKvException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String key;
    private final String lastError;
    private final boolean outcomeUnknown;
    private final boolean neverSent;

    public RegionKvTimeoutException(String operation, String key, String lastError, boolean outcomeUnknown) {
        this(operation, key, lastError, outcomeUnknown, false);
    }

    public RegionKvTimeoutException(String operation, String key, String lastError, boolean outcomeUnknown,
            boolean neverSent) {
        super(operation + " " + key + " timed out"
                + (outcomeUnknown ? "; the write was sent and not answered, its outcome is unknown" : "")
                + (neverSent ? "; it was never sent, its outcome is known: not applied" : "")
                + "; last error: " + lastError);
        if (outcomeUnknown && neverSent) {
            throw new IllegalArgumentException("a command never sent has a known outcome");
        }
        this.operation = operation;
        this.key = key;
        this.lastError = lastError;
        this.outcomeUnknown = outcomeUnknown;
        this.neverSent = neverSent;
    }

    /** {@code get}, {@code put}, {@code delete} or {@code scan}. */
    public String operation() {
        return operation;
    }

    /** The key (for a scan, the start of the region being read), printable. */
    public String key() {
        return key;
    }

    /** The last thing that went wrong before the deadline. */
    public String lastError() {
        return lastError;
    }

    /** True when a write may or may not have been applied. */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /** True when the deadline passed while the last attempt waited in the client's queue, unsent. */
    public boolean neverSent() {
        return neverSent;
    }
}
