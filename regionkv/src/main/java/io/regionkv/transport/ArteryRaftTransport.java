package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sends raft messages over Pekko Artery to the target store's inbox, found through the
 * {@link StoreDirectory}, folding those sent to one store at about the same time into one remote message
 * ({@link RaftOutbox}). A message for a store not yet known, or too big for an Artery frame (Artery
 * would drop it with only a log line), is dropped here and counted: raft retries, and the counters make
 * the loss visible.
 */
public final class ArteryRaftTransport implements RaftTransport {

    /** Artery's default maximum frame is 256 KiB; stay clear of it, envelope included. */
    public static final int MAX_MESSAGE_BYTES = 240 * 1024;

    private final StoreDirectory directory;
    private final Executor executor;
    /** One outbox per target store: raft messages to it leave in batches (see {@link RaftOutbox}). */
    private final ConcurrentHashMap<Long, RaftOutbox> outboxes = new ConcurrentHashMap<>();
    private final LongAdder droppedUnknownStore = new LongAdder();
    private final LongAdder droppedTooLarge = new LongAdder();
    /** Holds the outboxes while the peers act on a group commit's answers (see {@link SendGate}). */
    private final SendGate gate = new SendGate(this::releaseOutboxes);

    public ArteryRaftTransport(StoreDirectory directory) {
        this.directory = directory;
        this.executor = directory.executor();
    }

    @Override
    public void send(RaftMessage message) {
        if (message.getSerializedSize() > MAX_MESSAGE_BYTES) {
            droppedTooLarge.increment();
            return;
        }
        long storeId = message.getToPeer().getStoreId();
        outboxes.computeIfAbsent(storeId, id -> new RaftOutbox(executor, MAX_MESSAGE_BYTES, wire -> deliver(id, wire), gate))
                .send(message);
    }

    @Override
    public SendGate gate() {
        return gate;
    }

    private void releaseOutboxes() {
        for (RaftOutbox outbox : outboxes.values()) outbox.release();
    }

    /** The store is looked up when the batch leaves, so a restarted store's new inbox is used at once. */
    private void deliver(long storeId, StoreWire wire) {
        Optional<ActorRef<StoreWire>> target = directory.lookup(storeId);
        if (target.isPresent()) {
            target.get().tell(wire);
        } else {
            droppedUnknownStore.add(wire instanceof RaftBatch b ? b.messages().size() : 1);
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
