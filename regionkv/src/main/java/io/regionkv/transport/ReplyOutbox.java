package io.regionkv.transport;

import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A store's answers to its clients, folded across its peers: while the kv writer's answers to one group
 * commit are being acted on, the replies the peers send wait here, and leave as one {@link CommandReply} per
 * client when the last of those peers is done.
 *
 * <p>Why: one kv commit carries the apply batches of several regions, and each of their leaders answers its
 * proposals. With 12 regions a store leads 4, so without this the same client got up to 4 replies per
 * commit, each a remote message of its own (framing, dispatch, serialization, and a TCP segment when the
 * connection is idle), and each reply then made the client send its next commands in a burst of its own.
 * The same gate as the raft messages' ({@link SendGate}), a second instance: the kv writer opens a round
 * with one party per apply batch whose peer waits for applied proposals, and each peer leaves it once it has
 * answered them. Held replies wait at most {@link SendGate}'s bound (1 ms).
 *
 * <p>Nothing is kept per client between rounds, so clients that come and go leave nothing behind. Two
 * threads may drain at once and so split one client's held answers into two replies; answers are matched
 * to commands by uuid, so their order across replies does not matter.
 */
public final class ReplyOutbox {

    /** A reply stays under this many bytes (well inside Artery's frame); a single larger answer goes alone. */
    public static final int MAX_BYTES = 64 * 1024;

    /** An outbox that never holds: each reply leaves when it is sent (tests, and writers without a gate). */
    public static final ReplyOutbox DIRECT = new ReplyOutbox(false);

    private record Held(ActorRef<CommandReply> to, List<RaftCmdResponse> responses) {}

    private final SendGate gate;
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();

    public ReplyOutbox() {
        this(true);
    }

    private ReplyOutbox(boolean gated) {
        this.gate = gated ? new SendGate(this::flushHeld) : SendGate.NONE;
    }

    /** With the gate's clock given (tests: a fixed clock never reaches the 1 ms bound). */
    ReplyOutbox(LongSupplier clock) {
        this.gate = new SendGate(this::flushHeld, clock, true);
    }

    /** The gate the kv writer opens rounds of around its answers. */
    public SendGate gate() {
        return gate;
    }

    /**
     * Sends {@code responses} to {@code to}: now, or when the open rounds of the gate close; in replies of at
     * most {@link #MAX_BYTES} (a single larger response alone), in order.
     */
    public void send(ActorRef<CommandReply> to, List<RaftCmdResponse> responses) {
        if (responses.isEmpty()) return;
        // Queued before asking the gate (as BurstBatcher does): a round that closes after the question
        // finds it queued and sends it, so no interleaving leaves it behind.
        held.add(new Held(to, List.copyOf(responses)));
        if (!gate.holds()) flushHeld();
    }

    /** Replies waiting for the gate (for tests). */
    int heldReplies() {
        return held.size();
    }

    private void flushHeld() {
        Map<ActorRef<CommandReply>, List<RaftCmdResponse>> byClient = new LinkedHashMap<>();
        for (Held h = held.poll(); h != null; h = held.poll()) {
            byClient.computeIfAbsent(h.to(), k -> new ArrayList<>()).addAll(h.responses());
        }
        for (Map.Entry<ActorRef<CommandReply>, List<RaftCmdResponse>> e : byClient.entrySet()) {
            List<RaftCmdResponse> reply = new ArrayList<>();
            long bytes = 0;
            for (RaftCmdResponse r : e.getValue()) {
                int size = r.getSerializedSize(); // computed once per message by protobuf, then remembered
                if (!reply.isEmpty() && bytes + size > MAX_BYTES) {
                    e.getKey().tell(new CommandReply(reply));
                    reply = new ArrayList<>();
                    bytes = 0;
                }
                reply.add(r);
                bytes += size;
            }
            e.getKey().tell(new CommandReply(reply));
        }
    }
}
