package io.regionkv.engine;

/** A column-family value over {@link EngineConfig#maxValueSize()}. */
public final class ValueTooLargeException extends InvalidInputException {
    private final int size;
    private final int limit;

    public ValueTooLargeException(Db db, int size, int limit) {
        super("value of " + size + " bytes exceeds the value limit of " + limit + " bytes in column family '"
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
