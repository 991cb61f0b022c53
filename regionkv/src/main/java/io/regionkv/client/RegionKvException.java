package io.regionkv.client;

import io.regionkv.proto.Errorpb;
import java.util.Optional;

/**
 * An operation of {@link RegionKvClient} failed for a reason retrying would not fix, for example the
 * store refused the key or value (too long, bad column family). The message is the store's own words.
 */
public class RegionKvException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The store's typed refusal, when a store refused; null for failures found by the client itself. */
    private final Errorpb.Error storeError;

    public RegionKvException(String message) {
        this(message, (Errorpb.Error) null);
    }

    public RegionKvException(String message, Throwable cause) {
        super(message, cause);
        this.storeError = null;
    }

    public RegionKvException(String message, Errorpb.Error storeError) {
        super(message);
        this.storeError = storeError;
    }

    /**
     * The typed error the store answered (for example {@code hasInvalid()} with its reason, or
     * {@code hasStorageFull()}), so a program can act on the kind instead of the message text.
     */
    public Optional<Errorpb.Error> storeError() {
        return Optional.ofNullable(storeError);
    }
}
