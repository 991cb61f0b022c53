package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.SnapshotChunk;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One chunk of a snapshot stream from store {@code fromStoreId}; the receiver acknowledges each chunk to
 * {@code ackTo} before the next one is sent, which keeps the stream flow-controlled and every message far
 * below Artery's frame size.
 */
public record SnapshotChunkEnvelope(long fromStoreId, SnapshotChunk chunk, ActorRef<SnapshotChunkAck> ackTo)
        implements StoreWire {}
