package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counting helpers the checkers share: who holds and leads what, over the directory's regions. */
final class Placement {

    private Placement() {}

    /** Regions with a learner are in the middle of a change: no checker starts another on them. */
    static boolean changing(Region region) {
        for (Peer p : region.getPeersList()) {
            if (p.getRole() == PeerRole.Learner) return true;
        }
        return false;
    }

    /** Replicas per Up store (0 for an Up store holding none), in store id order. */
    static TreeMap<Long, Integer> replicaCounts(List<RegionDirectory.Entry> regions, Map<Long, StoreState> stores) {
        TreeMap<Long, Integer> counts = upStores(stores);
        for (RegionDirectory.Entry e : regions) {
            for (Peer p : e.region().getPeersList()) counts.computeIfPresent(p.getStoreId(), (k, v) -> v + 1);
        }
        return counts;
    }

    /** Leaders per Up store (0 for an Up store leading none), in store id order. */
    static TreeMap<Long, Integer> leaderCounts(List<RegionDirectory.Entry> regions, Map<Long, StoreState> stores) {
        TreeMap<Long, Integer> counts = upStores(stores);
        for (RegionDirectory.Entry e : regions) {
            if (e.leader() != null) counts.computeIfPresent(e.leader().getStoreId(), (k, v) -> v + 1);
        }
        return counts;
    }

    /** Bytes per Up store: the sum of the sizes ({@link #size}) of the regions with a replica there. */
    static TreeMap<Long, Long> sizes(List<RegionDirectory.Entry> regions, Map<Long, StoreState> stores) {
        TreeMap<Long, Long> sizes = new TreeMap<>();
        for (Long s : upStores(stores).keySet()) sizes.put(s, 0L);
        for (RegionDirectory.Entry e : regions) {
            for (Peer p : e.region().getPeersList()) sizes.computeIfPresent(p.getStoreId(), (k, v) -> v + size(e));
        }
        return sizes;
    }

    /** A region's size for balancing; never measured counts as 1 byte, so that regions still count. */
    static long size(RegionDirectory.Entry e) {
        return Math.max(1, e.approximateSize());
    }

    private static TreeMap<Long, Integer> upStores(Map<Long, StoreState> stores) {
        TreeMap<Long, Integer> counts = new TreeMap<>();
        stores.forEach((id, state) -> {
            if (state == StoreState.Up) counts.put(id, 0);
        });
        return counts;
    }
}
