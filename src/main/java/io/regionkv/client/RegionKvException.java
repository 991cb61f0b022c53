package io.regionkv.client;

/**
 * An operation of {@link RegionKvClient} failed for a reason retrying would not fix, for example the
 * store refused the key or value (too long, bad column family). The message is the store's own words.
 */
public class RegionKvException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegionKvException(String message) {
        super(message);
    }

    public RegionKvException(String message, Throwable cause) {
        super(message, cause);
    }
}
