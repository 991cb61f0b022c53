package io.regionkv.store.apply;

import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.ReplyOutbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Answers a peer gives in one step (the proposals of an apply batch, the reads of a ReadIndex round),
 * folded into one {@link CommandReply} per client. Under load most answers of a step go to the same few
 * clients, and a remote message costs far more than its bytes.
 *
 * <p>Replies leave through the store's {@link ReplyOutbox}, which keeps each under its byte bound (a single
 * larger response travels alone) and folds them further across the store's peers. Answers to one client
 * keep their order.
 */
public final class ReplyBatch {

    private final Map<ActorRef<CommandReply>, List<RaftCmdResponse>> byClient = new LinkedHashMap<>();
    private final ReplyOutbox outbox;

    /** Replies leave at once, each on its own. */
    public ReplyBatch() {
        this(ReplyOutbox.DIRECT);
    }

    public ReplyBatch(ReplyOutbox outbox) {
        this.outbox = outbox;
    }

    public void add(ActorRef<CommandReply> to, RaftCmdResponse response) {
        byClient.computeIfAbsent(to, k -> new ArrayList<>()).add(response);
    }

    /** Sends what was gathered and starts empty again. */
    public void send() {
        for (Map.Entry<ActorRef<CommandReply>, List<RaftCmdResponse>> e : byClient.entrySet()) {
            outbox.send(e.getKey(), e.getValue());
        }
        byClient.clear();
    }
}
