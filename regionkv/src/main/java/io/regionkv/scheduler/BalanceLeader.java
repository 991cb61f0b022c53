package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Spreads leaders: while the Up store leading the most regions leads at least two more than some other
 * Up store that holds a healthy voter of one of its regions, move that region's leadership there (the
 * least-loaded such store, then the lowest id; regions in key order). Leader transfers move no data, so
 * counts within one of each other are the goal.
 */
final class BalanceLeader {

    static final String SOURCE = "balance-leader";

    private BalanceLeader() {}

    static Optional<Plan> plan(List<RegionDirectory.Entry> regions, Map<Long, StoreState> stores, Set<Long> busy) {
        TreeMap<Long, Integer> leaders = Placement.leaderCounts(regions, stores);
        if (leaders.size() < 2) return Optional.empty();
        long source = leaders.firstKey();
        for (Map.Entry<Long, Integer> c : leaders.entrySet()) {
            if (c.getValue() > leaders.get(source)) source = c.getKey();
        }
        int most = leaders.get(source);
        RegionDirectory.Entry bestRegion = null;
        long bestTarget = 0;
        for (RegionDirectory.Entry e : regions) {
            if (e.leader() == null || e.leader().getStoreId() != source || busy.contains(e.region().getId())
                    || Placement.changing(e.region())) {
                continue;
            }
            for (Peer p : e.region().getPeersList()) {
                Integer count = leaders.get(p.getStoreId());
                if (count == null || p.getRole() != PeerRole.Voter || count > most - 2
                        || e.pendingPeers().contains(p) || e.downPeers().contains(p)) {
                    continue;
                }
                if (bestRegion == null || count < leaders.get(bestTarget)
                        || (count.equals(leaders.get(bestTarget)) && p.getStoreId() < bestTarget)) {
                    bestRegion = e;
                    bestTarget = p.getStoreId();
                }
            }
        }
        if (bestRegion == null) return Optional.empty();
        return Optional.of(new Plan(bestRegion.region().getId(), SOURCE, List.of(new OpStep.TransferLeader(bestTarget))));
    }
}
