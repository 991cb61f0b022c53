package io.regionkv.store;

import io.regionkv.transport.CommandReply;
import org.apache.pekko.actor.typed.ActorRef;

/** A command the leader put into its log at {@code index} in {@code term}, waiting to be applied. */
record Proposal(long index, long term, ActorRef<CommandReply> replyTo, com.google.protobuf.ByteString uuid,
        long deadlineNanos) {}
