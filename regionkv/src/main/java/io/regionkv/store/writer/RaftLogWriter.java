package io.regionkv.store.writer;

import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineKind;
import io.regionkv.store.StoreMetrics;
import io.regionkv.store.IoDispatcher;
import org.apache.pekko.actor.typed.Behavior;

/**
 * The store's only writer of the raft environment: the Readies of every peer on the node are folded into
 * one transaction and one fsync (see {@link GroupCommitWriter}). Spawn it on
 * {@link IoDispatcher#RAFT_LOG_WRITER}.
 */
public final class RaftLogWriter {
    private RaftLogWriter() {}

    public static Behavior<WriterCommand> create(Engine raftEngine) {
        return create(raftEngine, WriterSettings.defaults());
    }

    public static Behavior<WriterCommand> create(Engine raftEngine, WriterSettings settings) {
        return create(raftEngine, settings, WriterMetrics.NONE);
    }

    /** Reports its commits to {@code metrics} (see {@link StoreMetrics}). */
    public static Behavior<WriterCommand> create(Engine raftEngine, WriterSettings settings, StoreMetrics metrics) {
        return create(raftEngine, settings, metrics.raftLogWriter());
    }

    private static Behavior<WriterCommand> create(Engine raftEngine, WriterSettings settings, WriterMetrics metrics) {
        if (raftEngine.kind() != EngineKind.RAFT) {
            throw new IllegalArgumentException("the raft-log writer needs the raft environment, got " + raftEngine);
        }
        return GroupCommitWriter.create(raftEngine, settings, metrics);
    }
}
