package io.regionkv.server;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.SnapshotChunkEnvelope;
import java.util.Set;

/**
 * TEST ONLY: the transport of a server whose partition switch is on ({@link PartitionFile}). It drops every
 * raft message and snapshot chunk from or to a cut store, both ways, and passes the rest unchanged. This
 * is all a real server process needs; drops, delays, duplicates and arbitrary splits are regionkv-testkit's
 * {@code FaultInjectingTransport}, which stays out of the distribution.
 */
final class IsolatingTransport implements RaftTransport {

    private final RaftTransport inner;
    /** Replaced whole, so a send reads one consistent set without locking. */
    private volatile Set<Long> cut = Set.of();

    IsolatingTransport(RaftTransport inner) {
        this.inner = inner;
    }

    /** Cuts exactly {@code stores} off from every other store, reconnecting any store cut before. */
    void cutExactly(Set<Long> stores) {
        cut = Set.copyOf(stores);
    }

    /** A store always reaches itself; any other pair talks unless one side is cut. */
    boolean canTalk(long from, long to) {
        if (from == to) return true;
        Set<Long> c = cut;
        return !c.contains(from) && !c.contains(to);
    }

    @Override
    public void send(RaftMessage message) {
        if (canTalk(message.getFromPeer().getStoreId(), message.getToPeer().getStoreId())) inner.send(message);
    }

    /** What passes the faults is batched by the inner transport's gate. */
    @Override
    public io.regionkv.transport.SendGate gate() {
        return inner.gate();
    }

    @Override
    public void sendSnapshotChunk(long toStoreId, SnapshotChunkEnvelope chunk) {
        if (canTalk(chunk.fromStoreId(), toStoreId)) inner.sendSnapshotChunk(toStoreId, chunk);
    }
}
