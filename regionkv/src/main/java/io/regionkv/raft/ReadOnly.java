package io.regionkv.raft;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's pending ReadIndex requests: each waits until a quorum acknowledges a heartbeat that
 * carried its context (or a later one), which proves the leader was still the leader when the read
 * arrived. Requests are answered in arrival order.
 */
final class ReadOnly {

    /** One pending read: the request, the commit index at its arrival, and who has acknowledged it. */
    static final class ReadIndexStatus {
        final Message req;
        final long index;
        final Map<Long, Boolean> acks = new HashMap<>();

        ReadIndexStatus(Message req, long index) {
            this.req = req;
            this.index = index;
        }
    }

    final ReadOnlyOption option;
    private final Map<ByteString, ReadIndexStatus> pending = new HashMap<>();
    private final ArrayDeque<ByteString> queue = new ArrayDeque<>();

    ReadOnly(ReadOnlyOption option) {
        this.option = option;
    }

    /** Queues a read that arrived when the commit index was {@code index}; a duplicate context is ignored. */
    void addRequest(long index, Message m) {
        ByteString ctx = m.getEntries(0).getData();
        if (pending.containsKey(ctx)) {
            return;
        }
        pending.put(ctx, new ReadIndexStatus(m, index));
        queue.addLast(ctx);
    }

    /** Records that {@code id} acknowledged the heartbeat carrying {@code ctx}; null if ctx is unknown. */
    Map<Long, Boolean> recvAck(long id, ByteString ctx) {
        ReadIndexStatus rs = pending.get(ctx);
        if (rs == null) {
            return null;
        }
        rs.acks.put(id, Boolean.TRUE);
        return rs.acks;
    }

    /** Removes and returns the reads up to and including {@code ctx}, which a quorum has now confirmed. */
    List<ReadIndexStatus> advance(ByteString ctx) {
        if (!pending.containsKey(ctx)) {
            return List.of();
        }
        List<ReadIndexStatus> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            ByteString c = queue.pollFirst();
            out.add(pending.remove(c));
            if (c.equals(ctx)) {
                break;
            }
        }
        return out;
    }

    /** The newest pending context, carried on heartbeats so their answers confirm every pending read. */
    ByteString lastPendingRequestCtx() {
        return queue.isEmpty() ? ByteString.EMPTY : queue.peekLast();
    }

    int pendingCount() {
        return queue.size();
    }
}
