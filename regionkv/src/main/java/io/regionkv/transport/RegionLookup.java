package io.regionkv.transport;

import com.google.protobuf.ByteString;
import org.apache.pekko.actor.typed.ActorRef;

/** Asks a store which of its regions holds {@code key}, and who leads it. */
public record RegionLookup(ByteString key, ActorRef<RegionLookupReply> replyTo) implements StoreWire {}
