package io.regionkv.scheduler;

import com.google.protobuf.ByteString;
import io.regionkv.keys.KeyRanges;
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
 * The scheduler's view of every region: by start key, by id, in key order. Soft state: rebuilt from the
 * leaders' heartbeats by each new scheduler instance, so it may lag, and readers (the client) treat it
 * as a hint that the stores correct.
 *
 * <p>TinyKV's rule keeps it from going backwards: a heartbeat whose {@code version} or {@code conf_ver} is
 * older than the known region of the same id, or than any known region it overlaps, is stale and ignored
 * (a lagging leader of the pre-split region must not erase the halves).
 */
final class RegionDirectory {

    /** One region as last heard, with what its leader measured. */
    record Entry(Region region, Peer leader, long approximateSize, long approximateKeys, List<Peer> pendingPeers,
            List<Peer> downPeers) {}

    private final NavigableMap<ByteString, Entry> byStart = new TreeMap<>(KeyRanges.ORDER);
    private final Map<Long, Entry> byId = new HashMap<>();

    /** Why {@code region} is older than what is known, or null when it may replace what it overlaps. */
    String staleReason(Region region) {
        Entry same = byId.get(region.getId());
        if (same != null && isOlder(region.getRegionEpoch(), same.region().getRegionEpoch())) {
            return "region " + region.getId() + " epoch " + epoch(region) + " is older than the known "
                    + epoch(same.region());
        }
        for (Entry e : overlapping(region.getStartKey(), region.getEndKey())) {
            if (e.region().getId() != region.getId() && isOlder(region.getRegionEpoch(), e.region().getRegionEpoch())) {
                return "region " + region.getId() + " epoch " + epoch(region) + " is older than overlapping region "
                        + e.region().getId() + " at " + epoch(e.region());
            }
        }
        return null;
    }

    /** Records {@code e} (check {@link #staleReason} first), dropping every region it overlaps. */
    void put(Entry e) {
        Region r = e.region();
        remove(r.getId());
        for (Entry old : overlapping(r.getStartKey(), r.getEndKey())) {
            remove(old.region().getId());
        }
        byStart.put(r.getStartKey(), e);
        byId.put(r.getId(), e);
    }

    Optional<Entry> byKey(ByteString key) {
        Map.Entry<ByteString, Entry> f = byStart.floorEntry(key);
        if (f == null) return Optional.empty();
        Region r = f.getValue().region();
        return KeyRanges.inRange(key, r.getStartKey(), r.getEndKey()) ? Optional.of(f.getValue()) : Optional.empty();
    }

    Optional<Entry> byId(long regionId) {
        return Optional.ofNullable(byId.get(regionId));
    }

    /** Up to {@code limit} regions overlapping {@code [start, end)}, in key order. */
    List<Entry> scan(ByteString start, ByteString end, int limit) {
        List<Entry> out = overlapping(start, end);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    int size() {
        return byId.size();
    }

    /** How many regions each store leads. */
    Map<Long, Integer> leaderCounts() {
        Map<Long, Integer> counts = new HashMap<>();
        for (Entry e : byId.values()) {
            if (e.leader() != null) counts.merge(e.leader().getStoreId(), 1, Integer::sum);
        }
        return counts;
    }

    private void remove(long regionId) {
        Entry old = byId.remove(regionId);
        if (old != null) byStart.remove(old.region().getStartKey(), old);
    }

    private List<Entry> overlapping(ByteString start, ByteString end) {
        List<Entry> out = new ArrayList<>();
        // The region starting at or before start may reach into the range; then every later one before end.
        ByteString from = byStart.floorKey(start);
        for (Entry e : (from == null ? byStart : byStart.tailMap(from, true)).values()) {
            Region r = e.region();
            if (!end.isEmpty() && KeyRanges.compare(r.getStartKey(), end) >= 0) break;
            if (KeyRanges.overlaps(r.getStartKey(), r.getEndKey(), start, end)) out.add(e);
        }
        return out;
    }

    /** TinyKV's staleness: behind in either counter (each only grows). */
    static boolean isOlder(RegionEpoch a, RegionEpoch b) {
        return a.getVersion() < b.getVersion() || a.getConfVer() < b.getConfVer();
    }

    private static String epoch(Region r) {
        return "(version " + r.getRegionEpoch().getVersion() + ", conf_ver " + r.getRegionEpoch().getConfVer() + ")";
    }
}
