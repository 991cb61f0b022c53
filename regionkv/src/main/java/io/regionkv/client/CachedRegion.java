package io.regionkv.client;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.Optional;

/** What the client believes about one region: its range, epoch and peers, and who leads it (if known). */
record CachedRegion(Region region, Optional<Peer> leader) {

    long id() {
        return region.getId();
    }

    /** 0 when the leader is unknown. */
    long leaderStoreId() {
        return leader.map(Peer::getStoreId).orElse(0L);
    }

    boolean contains(ByteString key) {
        return KeyRanges.inRange(key, region.getStartKey(), region.getEndKey());
    }

    /** This region's peer on {@code storeId}, if it has one there. */
    Optional<Peer> peerOn(long storeId) {
        for (Peer p : region.getPeersList()) {
            if (p.getStoreId() == storeId) return Optional.of(p);
        }
        return Optional.empty();
    }
}
