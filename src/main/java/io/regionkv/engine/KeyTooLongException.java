package io.regionkv.engine;

/** A key (or a range bound) longer than LMDB accepts in this database. */
public final class KeyTooLongException extends InvalidInputException {
    private final int size;
    private final int limit;

    public KeyTooLongException(Db db, int size, int limit) {
        super("key of " + size + " bytes exceeds the key limit of " + limit + " bytes in database '"
                + db.dbName() + "'");
        this.size = size;
        this.limit = limit;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}
