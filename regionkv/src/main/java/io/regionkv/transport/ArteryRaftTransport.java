package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sends raft messages over Pekko Artery to the target store's inbox, found through the
 * {@link StoreDirectory}. A message for a store not yet known, or too big for an Artery frame (Artery
 * would drop it with only a log line), is dropped here and counted: raft retries, and the counters make
 * the loss visible.
 */
public final class ArteryRaftTransport implements RaftTransport {

    /** Artery's default maximum frame is 256 KiB; stay clear of it, envelope included. */
    public static final int MAX_MESSAGE_BYTES = 240 * 1024;

    private final StoreDirectory directory;
    private final LongAdder droppedUnknownStore = new LongAdder();
    private final LongAdder droppedTooLarge = new LongAdder();

    public ArteryRaftTransport(StoreDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void send(RaftMessage message) {
        if (message.getSerializedSize() > MAX_MESSAGE_BYTES) {
            droppedTooLarge.increment();
            return;
        }
        Optional<ActorRef<StoreWire>> target = directory.lookup(message.getToPeer().getStoreId());
        if (target.isPresent()) {
            target.get().tell(new RaftEnvelope(message));
        } else {
            droppedUnknownStore.increment();
        }
    }

    @Override
    public void sendSnapshotChunk(long toStoreId, SnapshotChunkEnvelope chunk) {
        Optional<ActorRef<StoreWire>> target = directory.lookup(toStoreId);
        if (target.isPresent()) {
            target.get().tell(chunk);
        } else {
            droppedUnknownStore.increment();
        }
    }

    public long droppedUnknownStore() {
        return droppedUnknownStore.sum();
    }

    public long droppedTooLarge() {
        return droppedTooLarge.sum();
    }
}
