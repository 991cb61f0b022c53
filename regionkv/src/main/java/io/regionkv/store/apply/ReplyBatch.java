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
 * <p>A reply is kept under {@link #MAX_BYTES} so that it stays well inside Artery's frame; a single larger
 * response (a big value or scan) travels alone. Answers to one client keep their order. Replies leave
 * through the store's {@link ReplyOutbox}, which folds them further across the store's peers.
 */
public final class ReplyBatch {

    static final int MAX_BYTES = ReplyOutbox.MAX_BYTES;

    private static final class Pending {
        final List<RaftCmdResponse> responses = new ArrayList<>();
        long bytes;
    }

    private final Map<ActorRef<CommandReply>, Pending> byClient = new LinkedHashMap<>();
    private final ReplyOutbox outbox;

    /** Replies leave at once, each on its own. */
    public ReplyBatch() {
        this(ReplyOutbox.DIRECT);
    }

    public ReplyBatch(ReplyOutbox outbox) {
        this.outbox = outbox;
    }

    public void add(ActorRef<CommandReply> to, RaftCmdResponse response) {
        Pending p = byClient.computeIfAbsent(to, k -> new Pending());
        int size = response.getSerializedSize();
        if (!p.responses.isEmpty() && p.bytes + size > MAX_BYTES) {
            outbox.send(to, p.responses, p.bytes);
            p.responses.clear();
            p.bytes = 0;
        }
        p.responses.add(response);
        p.bytes += size;
    }

    /** Sends what was gathered and starts empty again. */
    public void send() {
        for (Map.Entry<ActorRef<CommandReply>, Pending> e : byClient.entrySet()) {
            if (!e.getValue().responses.isEmpty()) {
                outbox.send(e.getKey(), e.getValue().responses, e.getValue().bytes);
            }
        }
        byClient.clear();
    }
}
