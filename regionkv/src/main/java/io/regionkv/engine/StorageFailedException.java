package io.regionkv.engine;

/**
 * A store's durable storage failed a write or a sync and takes no more writes until the process opens it
 * again. After an I/O error the kernel may have dropped the pages it could not write and still report the
 * next fsync as clean, so nothing written since the last good sync can be trusted: going on would
 * acknowledge writes that are not on disk. Opening again replays what really is.
 *
 * <p>Unlike a failed commit of one batch, which fails that batch's sender alone, this ends the whole
 * store: whoever commits into the storage escalates it (the writers stop the node, see
 * {@code io.regionkv.store.StorageFailure}).
 */
public final class StorageFailedException extends RuntimeException {
    public StorageFailedException(String what, Throwable cause) {
        super(what + " failed and takes no more writes until it is opened again", cause);
    }
}
