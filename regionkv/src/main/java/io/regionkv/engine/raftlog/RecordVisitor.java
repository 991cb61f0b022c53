package io.regionkv.engine.raftlog;

import java.nio.ByteBuffer;

/** Receives the intact records of an {@link AppendLog} in the order they were appended, while it opens. */
@FunctionalInterface
public interface RecordVisitor {
    /** {@code payload} is only valid during the call; copy what must outlive it. */
    void visit(RecordPosition position, ByteBuffer payload);
}
