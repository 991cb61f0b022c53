package io.regionkv.client;

/**
 * An operation did not complete within its deadline ({@code regionkv.client.request-timeout}).
 *
 * <p>When {@link #outcomeUnknown()} is true a write was sent and never answered: it may or may not
 * have been applied, or be applied later. The client never resends such a write (see
 * {@link RegionKvClient}); the caller has to read back to find out. When false, nothing the operation
 * did took effect: every attempt was refused by a definite error, or none could be sent.
 */
public final class RegionKvTimeoutException extends RegionKvException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String key;
    private final String lastError;
    private final boolean outcomeUnknown;

    public RegionKvTimeoutException(String operation, String key, String lastError, boolean outcomeUnknown) {
        super(operation + " " + key + " timed out"
                + (outcomeUnknown ? "; the write was sent and not answered, its outcome is unknown" : "")
                + "; last error: " + lastError);
        this.operation = operation;
        this.key = key;
        this.lastError = lastError;
        this.outcomeUnknown = outcomeUnknown;
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
}
