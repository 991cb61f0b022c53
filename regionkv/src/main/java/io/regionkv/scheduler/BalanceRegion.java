package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Spreads data: moves one replica from the Up store holding the most bytes to the one holding the
 * fewest, but only when their gap is more than twice the moved region's size (TinyKV's rule), so that
 * the move cannot just turn the gap around and start moving back. Which region: one whose replica on the
 * source is pending (it needs a snapshot anyway), then one where it is a follower, then one it leads
 * (that costs a leader transfer as well); in key order within each kind. The move is: add a replica on
 * the target, wait for its promotion, remove the source's (a leader hands over first).
 */
final class BalanceRegion {

    static final String SOURCE = "balance-region";

    private BalanceRegion() {}

    static Optional<Plan> plan(List<RegionDirectory.Entry> regions, Map<Long, StoreState> stores, Set<Long> busy) {
        TreeMap<Long, Long> sizes = Placement.sizes(regions, stores);
        if (sizes.size() < 2) return Optional.empty();
        long source = sizes.firstKey();
        long target = sizes.firstKey();
        for (Map.Entry<Long, Long> s : sizes.entrySet()) {
            if (s.getValue() > sizes.get(source)) source = s.getKey();
            if (s.getValue() < sizes.get(target)) target = s.getKey();
        }
        long gap = sizes.get(source) - sizes.get(target);
        RegionDirectory.Entry[] byPreference = new RegionDirectory.Entry[3]; // pending, follower, leader
        for (RegionDirectory.Entry e : regions) {
            if (busy.contains(e.region().getId()) || Placement.changing(e.region()) || !e.downPeers().isEmpty()) continue;
            Peer onSource = Operator.peerOn(e.region(), source);
            if (onSource == null || Operator.peerOn(e.region(), target) != null) continue;
            if (gap <= 2 * Placement.size(e)) continue;
            int kind = e.pendingPeers().contains(onSource) ? 0
                    : e.leader() != null && e.leader().getStoreId() == source ? 2 : 1;
            if (byPreference[kind] == null) byPreference[kind] = e;
        }
        for (RegionDirectory.Entry e : byPreference) {
            if (e != null) {
                return Optional.of(new Plan(e.region().getId(), SOURCE,
                        List.of(new OpStep.AddPeer(target, 0), new OpStep.RemovePeer(source))));
            }
        }
        return Optional.empty();
    }
}
