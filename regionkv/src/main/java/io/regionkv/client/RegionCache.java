package io.regionkv.client;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The client's belief about where regions are: regions by start key, each with the leader last heard
 * of. Everything in it may be stale; the stores correct it through region errors, and the cache only
 * has to make sure that a correction is never undone by older news.
 *
 * <p>Thread-safe. Methods are short and synchronized: a lookup is a tree search, far cheaper than the
 * network round trip it saves, so a lock-free structure would buy nothing measurable.
 */
final class RegionCache {

    private final NavigableMap<ByteString, CachedRegion> byStart = new TreeMap<>(KeyRanges.ORDER);
    private final Map<Long, ByteString> startById = new HashMap<>();

    /** The cached region containing {@code key}, if any. */
    synchronized Optional<CachedRegion> find(ByteString key) {
        Map.Entry<ByteString, CachedRegion> e = byStart.floorEntry(key);
        if (e == null || !e.getValue().contains(key)) {
            return Optional.empty();
        }
        return Optional.of(e.getValue());
    }

    synchronized Optional<CachedRegion> byId(long regionId) {
        ByteString start = startById.get(regionId);
        return start == null ? Optional.empty() : Optional.of(byStart.get(start));
    }

    /**
     * Records {@code region} (with its leader, when the source named one) and drops every cached region
     * whose range overlaps it, since two regions never share a key. Ignored, returning false, when the
     * cache already holds a newer epoch of the same region: answers can arrive out of order, and a
     * lagging store may still describe a region as it was before a split.
     */
    synchronized boolean update(Region region, Optional<Peer> leader) {
        List<CachedRegion> overlapping = overlapping(region);
        Optional<Peer> keptLeader = leader;
        for (CachedRegion old : overlapping) {
            if (old.id() != region.getId()) continue;
            if (isNewer(old.region().getRegionEpoch(), region.getRegionEpoch())) {
                return false;
            }
            if (leader.isEmpty()) {
                // An epoch change (split, conf change) does not by itself move leadership; keep the hint
                // if that leader is still a member.
                keptLeader = old.leader().filter(l -> region.getPeersList().contains(l));
            }
        }
        for (CachedRegion old : overlapping) {
            remove(old.id());
        }
        byStart.put(region.getStartKey(), new CachedRegion(region, keptLeader));
        startById.put(region.getId(), region.getStartKey());
        return true;
    }

    /** Records each region of an {@code EpochNotMatch}: the regions that now cover the stale range. */
    synchronized void updateAll(List<Region> regions) {
        for (Region r : regions) {
            update(r, Optional.empty());
        }
    }

    /** Forgets a region: the next request for its keys looks it up again. */
    synchronized void invalidate(long regionId) {
        remove(regionId);
    }

    /** Records who leads a region now; empty means unknown (try the peers in turn). */
    synchronized void switchLeader(long regionId, Optional<Peer> leader) {
        ByteString start = startById.get(regionId);
        if (start == null) return;
        CachedRegion old = byStart.get(start);
        byStart.put(start, new CachedRegion(old.region(), leader));
    }

    /** Every cached region in key order (a copy). */
    synchronized List<CachedRegion> regions() {
        return new ArrayList<>(byStart.values());
    }

    private void remove(long regionId) {
        ByteString start = startById.remove(regionId);
        if (start != null) byStart.remove(start);
    }

    private List<CachedRegion> overlapping(Region region) {
        List<CachedRegion> out = new ArrayList<>();
        // The region starting at or before our start may reach into us; then every later one until our end.
        Map.Entry<ByteString, CachedRegion> floor = byStart.floorEntry(region.getStartKey());
        ByteString from = floor == null ? region.getStartKey() : floor.getKey();
        for (CachedRegion c : byStart.tailMap(from, true).values()) {
            Region r = c.region();
            if (!region.getEndKey().isEmpty() && KeyRanges.compare(r.getStartKey(), region.getEndKey()) >= 0) break;
            if (KeyRanges.overlaps(r.getStartKey(), r.getEndKey(), region.getStartKey(), region.getEndKey())) {
                out.add(c);
            }
        }
        // Also the same id cached at another range (it moved by a split or merge).
        ByteString sameIdStart = startById.get(region.getId());
        if (sameIdStart != null && out.stream().noneMatch(c -> c.id() == region.getId())) {
            out.add(byStart.get(sameIdStart));
        }
        return out;
    }

    /**
     * Whether epoch {@code a} is past {@code b} in either counter. Both counters only grow (version on
     * split and merge, conf_ver on membership change), so a description behind in either one is stale.
     */
    static boolean isNewer(RegionEpoch a, RegionEpoch b) {
        return Long.compareUnsigned(a.getVersion(), b.getVersion()) > 0
                || Long.compareUnsigned(a.getConfVer(), b.getConfVer()) > 0;
    }
}
