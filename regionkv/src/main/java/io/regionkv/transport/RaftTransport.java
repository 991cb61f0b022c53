package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;

/**
 * How peers send raft messages to other stores. This is the seam where tests drop, delay, duplicate and
 * partition traffic ({@code FaultInjectingTransport} in regionkv-testkit); in production it is {@link ArteryRaftTransport}.
 *
 * <p>Implementations are thread-safe and never block: the caller is a peer actor. Delivery is best
 * effort, like a lossy network; raft retransmits what matters.
 */
public interface RaftTransport {

    /** Sends {@code message} to the store named by {@code message.getToPeer().getStoreId()}. */
    void send(RaftMessage message);

    /**
     * Sends one chunk of a snapshot stream to store {@code toStoreId}. Chunks suffer the same faults as
     * raft messages; the sender's acknowledgement protocol turns a loss into a failed snapshot that raft
     * retries.
     */
    void sendSnapshotChunk(long toStoreId, SnapshotChunkEnvelope chunk);

    /**
     * The gate that holds this transport's sends while a burst of the store's peers is under way (see
     * {@link SendGate}). A decorator answers its inner transport's, so that what it passes on is batched
     * the same way. The default never holds.
     */
    default SendGate gate() {
        return SendGate.NONE;
    }
}
