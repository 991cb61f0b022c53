package io.regionkv.transport;

import io.regionkv.proto.RaftServerpb.RaftMessage;

/** A raft message for one peer of one region, on its way to the store that holds that peer. */
public record RaftEnvelope(RaftMessage message) implements StoreWire {}
