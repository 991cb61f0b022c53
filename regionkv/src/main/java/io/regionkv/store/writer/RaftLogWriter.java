package io.regionkv.store.writer;

import io.regionkv.engine.StorageFailedException;
import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.store.IoDispatcher;
import io.regionkv.store.StoreMetrics;
import io.regionkv.transport.SendGate;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;

/**
 * The store's only writer of the raft log: the Readies of every peer on the node, as
 * {@code RaftLogBatch}es, are folded into one commit and one fsync (see {@link GroupCommitWriter}), in
 * whichever layout the store keeps its raft logs. Spawn it on {@link IoDispatcher#RAFT_LOG_WRITER}.
 */
public final class RaftLogWriter {
    private RaftLogWriter() {}

    public static Behavior<WriterCommand> create(RaftLogStore raftLog) {
        return create(raftLog, WriterSettings.defaults());
    }

    public static Behavior<WriterCommand> create(RaftLogStore raftLog, WriterSettings settings) {
        return GroupCommitWriter.create(CommitTarget.of(raftLog), settings, WriterMetrics.NONE);
    }

    /**
     * A node's raft-log writer: reports its commits to {@code metrics} (see {@link StoreMetrics}), tells
     * {@code onStorageFailed} once if the raft log fails for good (after which every write fails), and holds
     * the store's raft sends in {@code sendGate} while the peers act on a group's answers.
     */
    public static Behavior<WriterCommand> create(RaftLogStore raftLog, WriterSettings settings, StoreMetrics metrics,
            Consumer<StorageFailedException> onStorageFailed, SendGate sendGate) {
        return GroupCommitWriter.create(CommitTarget.of(raftLog), settings, metrics.raftLogWriter(), onStorageFailed,
                sendGate);
    }
}
