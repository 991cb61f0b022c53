package io.regionkv.transport;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.Optional;

/** A store's answer to a {@link RegionLookup}; {@code region} is empty when the store holds no such region. */
public record RegionLookupReply(long storeId, Optional<Region> region, Optional<Peer> leader) implements WireMessage {}
