package io.regionkv.engine;

/** A range whose start lies after its end. */
public final class InvalidRangeException extends InvalidInputException {
    public InvalidRangeException(Db db, String detail) {
        super("invalid range in database '" + db.dbName() + "': " + detail);
    }
}
