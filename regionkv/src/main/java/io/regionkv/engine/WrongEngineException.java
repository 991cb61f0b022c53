package io.regionkv.engine;

/** An operation on a database that lives in the other environment (say, a raft key sent to the kv writer). */
public final class WrongEngineException extends InvalidInputException {
    public WrongEngineException(Db db, EngineKind engine) {
        super("database '" + db.dbName() + "' belongs to the " + db.engine().dirName()
                + " environment, not to the " + engine.dirName() + " environment");
    }
}
