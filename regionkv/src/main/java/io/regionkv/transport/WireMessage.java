package io.regionkv.transport;

/**
 * Marker for every message that may cross the network between RegionKV nodes. Bound in
 * reference.conf to {@link RegionKvSerializer}, so nothing of ours ever falls back to Java serialization.
 */
public interface WireMessage {}
