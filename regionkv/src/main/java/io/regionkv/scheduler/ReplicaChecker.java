package io.regionkv.scheduler;

import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Restores a region's replica count when a store holding one of its replicas has been down longer than
 * {@code max-store-down-time} (PD's replica checker, reduced to that case): add a replica on an Up store
 * that holds none of the region (the one holding the fewest replicas, then the lowest id), wait for it
 * to be promoted, then remove the dead one. With enough live replicas already, only the removal is left.
 * Regions in the middle of a change are left alone; the next heartbeat looks again.
 */
final class ReplicaChecker {

    static final String SOURCE = "replica-checker";

    private ReplicaChecker() {}

    static Optional<Plan> check(RegionDirectory.Entry entry, Map<Long, StoreState> stores,
            java.util.function.Supplier<Map<Long, Integer>> counts, int maxReplicas) {
        Region region = entry.region();
        if (Placement.changing(region)) return Optional.empty();
        Peer dead = null;
        int live = 0;
        for (Peer p : region.getPeersList()) {
            if (stores.get(p.getStoreId()) == StoreState.Down) {
                if (dead == null) dead = p;
            } else {
                live++;
            }
        }
        if (dead == null) return Optional.empty();
        List<OpStep> steps = new ArrayList<>();
        if (live < maxReplicas) {
            Map<Long, Integer> replicaCounts = counts.get(); // only now: it walks every region
            Long target = null;
            for (Map.Entry<Long, Integer> c : replicaCounts.entrySet()) {
                if (Operator.peerOn(region, c.getKey()) != null) continue;
                if (target == null || c.getValue() < replicaCounts.get(target)) target = c.getKey();
            }
            // No store to rebuild on: removing the dead replica would only shrink the region further.
            if (target == null) return Optional.empty();
            steps.add(new OpStep.AddPeer(target, 0));
        }
        steps.add(new OpStep.RemovePeer(dead.getStoreId()));
        return Optional.of(new Plan(region.getId(), SOURCE, steps));
    }
}
