package io.regionkv.engine;

/** A key (or a range bound) longer than LMDB accepts in this database. */
public final class KeyTooLongException extends SizeLimitException {
    public KeyTooLongException(Db db, int size, int limit) {
        super("key", "database", db, size, limit);
    }
}
