package io.regionkv.engine;

/** Input over a size limit: the message names both, and so do {@link #size()} and {@link #limit()}. */
public abstract sealed class SizeLimitException extends InvalidInputException
        permits KeyTooLongException, ValueTooLargeException {
    private final int size;
    private final int limit;

    SizeLimitException(String what, String where, Db db, int size, int limit) {
        super(what + " of " + size + " bytes exceeds the " + what + " limit of " + limit + " bytes in " + where
                + " '" + db.dbName() + "'");
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
