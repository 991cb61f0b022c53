package io.regionkv.engine.raftlog;

import io.regionkv.engine.CorruptedDataException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The raft logs of every region of a store: entries, raft state and vote fence per region. Two layouts
 * implement it ({@link RaftLogLayout}); the store writes and reads only through this.
 *
 * <p><b>Threads.</b> One owner writes (the raft-log writer actor, on its dedicated thread); any thread
 * reads. A reader sees a batch only once {@link #commitAll} has returned for it.
 */
public interface RaftLogStore extends AutoCloseable {

    RaftLogLayout layout();

    /** The directory that holds this store's raft logs. */
    Path dir();

    /**
     * Writes {@code batches} in order and atomically, and makes them durable (unless the store was opened
     * without sync on commit). Answers a number that grows with every commit.
     *
     * @throws IllegalArgumentException if a batch would leave a hole in a region's log; nothing is written
     */
    long commitAll(List<RaftLogBatch> batches);

    /** The region's raft state, or null if it has none. */
    RaftLocalState state(long region);

    /** The last entry of a log the region's store lost (see {@link LogOp.Fence}); index 0 if none. */
    RaftTruncatedState fence(long region);

    /**
     * Entries {@code [lo, hi)} of the region, stopping before {@code maxBytes} of entries (at least one).
     *
     * @throws CorruptedDataException if the log lacks one of them: callers ask only for what the region's
     *     raft state says is there
     */
    List<Entry> entries(long region, long lo, long hi, long maxBytes);

    /** The term of the region's entry {@code index}, or empty if the log does not hold it. */
    OptionalLong term(long region, long index);

    /** The first and last index of the entries the region holds (size 0 for none). */
    LogShape shape(long region);

    /** The regions that hold a raft state, a vote fence or entries. */
    Set<Long> regions();

    /** Whether no region holds anything. */
    default boolean isEmpty() {
        return regions().isEmpty();
    }

    /**
     * Why a client write should be refused now for lack of room (the writes already in flight need
     * {@code reserve} bytes), or null when there is room.
     */
    String shortOfRoom(long reserve);

    @Override
    void close();
}
