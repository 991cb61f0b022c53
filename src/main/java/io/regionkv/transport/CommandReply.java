package io.regionkv.transport;

import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;

/** The answer to a {@link CommandEnvelope}: data, or a region error in the header. */
public record CommandReply(RaftCmdResponse response) implements WireMessage {}
