package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The raft messages one store sends to another, folded into as few remote messages as a burst allows.
 * With many regions, every leader sends its own appends, heartbeats and answers to the same few stores,
 * and each remote message costs both ends tens of microseconds (framing, dispatch, protobuf) whatever its
 * size: TiKV batches its raft messages per store connection for the same reason.
 *
 * <p>Batching adds no waiting, as in the client's command outbox: the first message that finds the outbox
 * idle schedules a flush on the dispatcher, and whatever the store's other peers send before that flush
 * runs travels with it. Messages keep the order they were sent in. A batch stays under {@code maxBytes}
 * (inside Artery's frame); a lone message goes out as a plain {@link RaftEnvelope}.
 */
final class RaftOutbox {

    private final Executor executor;
    private final long maxBytes;
    /** Hands a flushed envelope to the target store, or counts it dropped when the store is unknown. */
    private final Consumer<StoreWire> deliver;
    private final ConcurrentLinkedQueue<RaftMessage> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    RaftOutbox(Executor executor, long maxBytes, Consumer<StoreWire> deliver) {
        this.executor = executor;
        this.maxBytes = maxBytes;
        this.deliver = deliver;
    }

    void send(RaftMessage message) {
        queue.add(message);
        if (flushScheduled.compareAndSet(false, true)) {
            executor.execute(this::flush);
        }
    }

    /**
     * Sends everything queued. The flag is cleared before draining, so a message queued during the drain
     * either goes out with it or schedules the next flush; it is never left behind.
     */
    void flush() {
        flushScheduled.set(false);
        List<RaftMessage> batch = new ArrayList<>();
        long bytes = 0;
        for (RaftMessage m = queue.poll(); m != null; m = queue.poll()) {
            int size = m.getSerializedSize() + 8; // the repeated field's tag and length, with room to spare
            if (!batch.isEmpty() && bytes + size > maxBytes) {
                deliver.accept(wrap(batch));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(m);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            deliver.accept(wrap(batch));
        }
    }

    private static StoreWire wrap(List<RaftMessage> batch) {
        return batch.size() == 1 ? new RaftEnvelope(batch.get(0)) : new RaftBatch(batch);
    }
}
