package io.regionkv.transport;

import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import java.util.List;

/**
 * Answers to commands of {@link CommandEnvelope}s: each response carries data, or a region error in its
 * header, and the uuid of the command it answers. A store folds the answers it gives one client at once
 * into one reply.
 */
public record CommandReply(List<RaftCmdResponse> responses) implements WireMessage {

    public CommandReply {
        responses = List.copyOf(responses);
        if (responses.isEmpty()) {
            throw new IllegalArgumentException("a command reply carries at least one response");
        }
    }

    public static CommandReply of(RaftCmdResponse response) {
        return new CommandReply(List.of(response));
    }

    /** The response of a reply to a single command; fails if the reply carries several. */
    public RaftCmdResponse single() {
        if (responses.size() != 1) {
            throw new IllegalStateException("a reply with " + responses.size() + " responses, not one");
        }
        return responses.get(0);
    }
}
