package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.raft.ReadState;
import io.regionkv.transport.CommandReply;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Linearizable reads on their way through ReadIndex: first waiting for raft to confirm a read index
 * (a heartbeat round), then waiting until the peer has applied up to it.
 *
 * <p>All reads that arrive in one mailbox batch share one ReadIndex request, so a burst of reads costs one
 * heartbeat round, not one each (what TiKV does too).
 */
final class PendingReads {

    record Read(RaftCmdRequest request, ActorRef<CommandReply> replyTo, long deadlineNanos) {}

    private record Indexed(long index, List<Read> reads) {}

    private final Map<ByteString, List<Read>> awaitingIndex = new HashMap<>();
    private final ArrayDeque<Indexed> awaitingApply = new ArrayDeque<>();
    private final long peerId;
    /**
     * The last context sequence handed out. It starts at a random 64-bit value, not 0: a restarted peer
     * keeps its id, and the leader treats a context it still has pending as the same request, so a read of
     * the new incarnation that repeated an old context could be answered with the older read's index.
     */
    private long sequence;
    /** The context of the batch being collected, or null when the next read starts a new one. */
    private ByteString openBatch;
    /** Reads held, kept as a count because the store checks it for every read (flow control). */
    private int count;

    PendingReads(long peerId) {
        this(peerId, ThreadLocalRandom.current().nextLong());
    }

    /** {@code firstSequence}: where this incarnation's contexts start (random in production). */
    PendingReads(long peerId, long firstSequence) {
        this.peerId = peerId;
        this.sequence = firstSequence;
    }

    /**
     * Adds a read to the open batch. Answers the context to pass to {@code RawNode.readIndex} when this read
     * opened a new batch, or null when it joined one already requested.
     */
    byte[] add(Read read) {
        count++;
        if (openBatch != null) {
            awaitingIndex.get(openBatch).add(read);
            return null;
        }
        byte[] ctx = ByteBuffer.allocate(16).putLong(peerId).putLong(++sequence).array();
        openBatch = ByteString.copyFrom(ctx);
        List<Read> reads = new ArrayList<>();
        reads.add(read);
        awaitingIndex.put(openBatch, reads);
        return ctx;
    }

    /** The batch is over: the next read asks for a new read index. */
    void closeBatch() {
        openBatch = null;
    }

    /** Raft could not take the request that opened the current batch; its reads are failed by the caller. */
    List<Read> dropOpenBatch() {
        List<Read> reads = openBatch == null ? List.of() : awaitingIndex.remove(openBatch);
        openBatch = null;
        count -= reads.size();
        return reads;
    }

    void onReadState(ReadState rs) {
        List<Read> reads = awaitingIndex.remove(ByteString.copyFrom(rs.requestCtx()));
        if (reads != null) {
            awaitingApply.addLast(new Indexed(rs.index(), reads));
        }
    }

    /** Reads whose index is applied, in arrival order, removed from the queue. */
    List<Read> servable(long appliedIndex) {
        List<Read> out = List.of();
        // Read indexes are handed out in nondecreasing order by one leader; after a leader change they
        // may not be, so look at every entry rather than stopping at the first that must wait.
        for (Iterator<Indexed> it = awaitingApply.iterator(); it.hasNext(); ) {
            Indexed i = it.next();
            if (i.index() <= appliedIndex) {
                if (out.isEmpty()) out = new ArrayList<>();
                out.addAll(i.reads());
                it.remove();
            }
        }
        count -= out.size();
        return out;
    }

    /**
     * Leadership was lost: reads still waiting for a read index will never get one from this node. Reads
     * that have an index already stay: the index was confirmed by a quorum and remains safe to serve.
     */
    void failAwaitingIndex(Errorpb.Error error) {
        for (List<Read> reads : awaitingIndex.values()) {
            for (Read r : reads) reply(r, error);
            count -= reads.size();
        }
        awaitingIndex.clear();
        openBatch = null;
    }

    void expire(long nowNanos) {
        for (Iterator<List<Read>> it = awaitingIndex.values().iterator(); it.hasNext(); ) {
            List<Read> reads = it.next();
            int before = reads.size();
            reads.removeIf(r -> expired(r, nowNanos));
            count -= before - reads.size();
            if (reads.isEmpty() && !isOpen(reads)) it.remove();
        }
        for (Iterator<Indexed> it = awaitingApply.iterator(); it.hasNext(); ) {
            Indexed i = it.next();
            int before = i.reads().size();
            i.reads().removeIf(r -> expired(r, nowNanos));
            count -= before - i.reads().size();
            if (i.reads().isEmpty()) it.remove();
        }
    }

    private boolean isOpen(List<Read> reads) {
        return openBatch != null && awaitingIndex.get(openBatch) == reads;
    }

    private static boolean expired(Read r, long nowNanos) {
        if (nowNanos - r.deadlineNanos() >= 0) {
            reply(r, RegionErrors.timeout("read not served in time"));
            return true;
        }
        return false;
    }

    void failAll(Errorpb.Error error) {
        failAwaitingIndex(error);
        for (Indexed i : awaitingApply) {
            for (Read r : i.reads()) reply(r, error);
            count -= i.reads().size();
        }
        awaitingApply.clear();
    }

    int size() {
        return count;
    }

    private static void reply(Read r, Errorpb.Error error) {
        r.replyTo().tell(CommandReply.of(RegionErrors.response(r.request().getHeader().getUuid(), error)));
    }
}
