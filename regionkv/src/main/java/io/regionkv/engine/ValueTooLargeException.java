package io.regionkv.engine;

/** A column-family value over {@link EngineConfig#maxValueSize()}. */
public final class ValueTooLargeException extends SizeLimitException {
    public ValueTooLargeException(Db db, int size, int limit) {
        super("value", "column family", db, size, limit);
    }
}
