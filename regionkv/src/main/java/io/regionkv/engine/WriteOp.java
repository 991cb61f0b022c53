package io.regionkv.engine;

import java.util.Objects;

/** One operation of a {@link WriteBatch}. Arrays are not copied: do not modify them after adding. */
public sealed interface WriteOp {

    Db db();

    /** Bytes this operation hands to LMDB, for bounding a group commit. */
    int approximateSize();

    record Put(Db db, byte[] key, byte[] value) implements WriteOp {
        public Put {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public int approximateSize() {
            return key.length + value.length;
        }
    }

    record Delete(Db db, byte[] key) implements WriteOp {
        public Delete {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public int approximateSize() {
            return key.length;
        }
    }

    /**
     * Deletes every key in {@code [start, end)}. An empty {@code start} means from the first key, an empty
     * {@code end} to the last one (so both empty clears the database).
     */
    record DeleteRange(Db db, byte[] start, byte[] end) implements WriteOp {
        public DeleteRange {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
        }

        @Override
        public int approximateSize() {
            return start.length + end.length;
        }
    }
}
