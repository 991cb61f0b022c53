package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.List;

/**
 * Raft messages for peers of one store, from the peers of another, sent as one remote message (see
 * {@link RaftOutbox}). The receiving store handles them in order, each as if it had come alone.
 */
public record RaftBatch(List<RaftMessage> messages) implements StoreWire {

    public RaftBatch {
        messages = List.copyOf(messages);
    }
}
