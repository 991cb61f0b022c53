package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Message;

/**
 * A message in flight, with the incarnation of the node that sent it: outcomes (snapshot status,
 * unreachable) are reported only to the process that sent it, not to a restarted successor.
 */
record Envelope(Message msg, int senderIncarnation) {}
