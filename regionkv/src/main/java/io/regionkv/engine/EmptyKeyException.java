package io.regionkv.engine;

/** LMDB cannot store a zero-length key. */
public final class EmptyKeyException extends InvalidInputException {
    public EmptyKeyException(Db db) {
        super("empty key in database '" + db.dbName() + "': keys must have at least 1 byte");
    }
}
