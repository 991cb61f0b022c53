package io.regionkv.client;

import io.regionkv.proto.Errorpb;
import java.util.Optional;

/**
 * An operation of {@link RegionKvClient} failed for a reason retrying would not fix, for example the
 * store refused the key or value (too long, bad column family). The message is the store's own words.
 */
public class RegionKvException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The store's typed refusal, when there was one (the gRPC API passes it on as a status detail). */
    private final transient Errorpb.Error regionError;

    public RegionKvException(String message) {
        super(message);
        this.regionError = null;
    }

    public RegionKvException(String message, Errorpb.Error regionError) {
        super(message);
        this.regionError = regionError;
    }

    public RegionKvException(String message, Throwable cause) {
        super(message, cause);
        this.regionError = null;
    }

    /** The region error the store answered with, if this failure came from one. */
    public Optional<Errorpb.Error> regionError() {
        return Optional.ofNullable(regionError);
    }
}
