package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The raft messages one store sends to another, folded into as few remote messages as a burst allows
 * ({@link BurstBatcher}). With many regions, every leader sends its own appends, heartbeats and answers to
 * the same few stores, and each remote message costs both ends tens of microseconds (framing, dispatch,
 * protobuf) whatever its size: TiKV batches its raft messages per store connection for the same reason.
 * Measured with 12 regions on three in-process nodes: puts +10 %, gets +24 %, one region unchanged
 * (BENCHMARKS.md, "Raft messages batched per store").
 *
 * <p>A batch stays under {@code maxBytes} (inside Artery's frame); a lone message goes out as a plain
 * {@link RaftEnvelope}, several as a {@link RaftBatch}.
 */
final class RaftOutbox {

    /** Per message in a batch: the repeated field's tag and length, with room to spare. */
    private static final int FRAMING_BYTES = 8;

    private final BurstBatcher<RaftMessage> batcher;

    RaftOutbox(Executor executor, long maxBytes, Consumer<StoreWire> deliver) {
        this(executor, maxBytes, deliver, SendGate.NONE);
    }

    /** Messages wait while {@code gate} holds; the gate's owner calls {@link #release} when it opens. */
    RaftOutbox(Executor executor, long maxBytes, Consumer<StoreWire> deliver, SendGate gate) {
        this.batcher = new BurstBatcher<>(executor, maxBytes, Integer.MAX_VALUE,
                m -> m.getSerializedSize() + FRAMING_BYTES, batch -> deliver.accept(wrap(batch)), gate::holds);
    }

    void send(RaftMessage message) {
        batcher.add(message);
    }

    void release() {
        batcher.release();
    }

    private static StoreWire wrap(List<RaftMessage> batch) {
        return batch.size() == 1 ? new RaftEnvelope(batch.get(0)) : new RaftBatch(batch);
    }
}
