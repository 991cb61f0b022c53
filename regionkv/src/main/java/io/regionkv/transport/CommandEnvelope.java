package io.regionkv.transport;

import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Client commands for regions, sent to the store that holds their (presumed) leaders. A client folds the
 * commands it issues to one store in a burst into one envelope (see {@code CommandOutbox}); each is still
 * answered on its own, matched by the uuid of its header.
 */
public record CommandEnvelope(List<RaftCmdRequest> requests, ActorRef<CommandReply> replyTo) implements StoreWire {

    public CommandEnvelope {
        requests = List.copyOf(requests);
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("a command envelope carries at least one command");
        }
        Objects.requireNonNull(replyTo, "replyTo");
    }

    public static CommandEnvelope of(RaftCmdRequest request, ActorRef<CommandReply> replyTo) {
        return new CommandEnvelope(List.of(request), replyTo);
    }

    /** The command of an envelope that carries one; fails if it carries several. */
    public RaftCmdRequest single() {
        if (requests.size() != 1) {
            throw new IllegalStateException("an envelope with " + requests.size() + " commands, not one");
        }
        return requests.get(0);
    }
}
