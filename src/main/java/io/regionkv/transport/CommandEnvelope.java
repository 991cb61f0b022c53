package io.regionkv.transport;

import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import org.apache.pekko.actor.typed.ActorRef;

/** A client command for a region, sent to the store that holds the region's (presumed) leader. */
public record CommandEnvelope(RaftCmdRequest request, ActorRef<CommandReply> replyTo) implements StoreWire {}
