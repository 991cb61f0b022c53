package io.regionkv.transport;

/** What one node sends to another node's store: raft traffic, client commands and region look-ups. */
public sealed interface StoreWire extends WireMessage permits RaftEnvelope, RaftBatch, CommandEnvelope, RegionLookup, SnapshotChunkEnvelope {}
