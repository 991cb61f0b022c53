package io.regionkv.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The scheduler's operators and the store liveness they are planned from (pure state, driven by
 * {@link SchedulerActor} with the time passed in, so that it is tested without actors or clocks).
 *
 * <p>At most one operator per region. The replica checker runs on each region heartbeat; the balance
 * schedulers run on a timer and only while no repair or region move is in flight ("when nothing else
 * moves"): first balance-region (one move at a time), then balance-leader (a few transfers at a time).
 */
final class OperatorController {

    private final ScheduleSettings settings;
    private final Map<Long, Operator> operators = new HashMap<>();
    /** When each store was last heard from (or first mentioned by a region, if it never reported). */
    private final Map<Long, Long> lastSeen = new HashMap<>();

    OperatorController(ScheduleSettings settings) {
        this.settings = settings;
    }

    void storeHeartbeat(long storeId, long nowNanos) {
        lastSeen.put(storeId, nowNanos);
    }

    /** Stores named by a region but never heard from start their silence now, so a dead one becomes Down. */
    void storesMentioned(io.regionkv.proto.Metapb.Region region, long nowNanos) {
        for (var p : region.getPeersList()) lastSeen.putIfAbsent(p.getStoreId(), nowNanos);
    }

    StoreState state(long storeId, long nowNanos) {
        Long seen = lastSeen.get(storeId);
        if (seen == null) return StoreState.Disconnected;
        long silent = nowNanos - seen;
        if (silent > settings.maxStoreDownTime().toNanos()) return StoreState.Down;
        if (silent > settings.storeDisconnectTime().toNanos()) return StoreState.Disconnected;
        return StoreState.Up;
    }

    /** Every known store's state, in id order. */
    TreeMap<Long, StoreState> states(long nowNanos) {
        TreeMap<Long, StoreState> out = new TreeMap<>();
        for (Long id : lastSeen.keySet()) out.put(id, state(id, nowNanos));
        return out;
    }

    /**
     * A region's leader reported {@code entry} (already in the directory): the step its leader should
     * take now, if any. Finishes or expires the region's operator, or asks the replica checker for one.
     *
     * @param newPeerId a fresh peer id, or a negative number when none can be handed out right now
     */
    Optional<SchedulerReply.Operate> onHeartbeat(RegionDirectory.Entry entry,
            java.util.function.Supplier<List<RegionDirectory.Entry>> allRegions,
            long nowNanos, LongSupplier newPeerId) {
        long regionId = entry.region().getId();
        Operator op = operators.get(regionId);
        if (op != null && nowNanos - op.createdNanos() > settings.operatorTimeout().toNanos()) {
            operators.remove(regionId);
            op = null;
        }
        if (op == null) {
            TreeMap<Long, StoreState> states = states(nowNanos);
            Optional<Plan> plan = ReplicaChecker.check(entry, states, () -> Placement.replicaCounts(allRegions.get(), states),
                    settings.maxReplicas());
            if (plan.isEmpty()) return Optional.empty();
            op = accept(plan.get(), nowNanos, newPeerId);
            if (op == null) return Optional.empty();
        }
        OpStep step = op.next(entry.region(), entry.leader());
        if (step == null) {
            operators.remove(regionId);
            return Optional.empty();
        }
        return Optional.ofNullable(Operator.answer(step, entry.region()));
    }

    /** The balance schedulers' turn: new operators they planned (delivered at their regions' heartbeats). */
    List<Operator> balance(List<RegionDirectory.Entry> regions, long nowNanos, LongSupplier newPeerId) {
        List<Operator> made = new ArrayList<>();
        for (Operator op : operators.values()) {
            if (!op.source().equals(BalanceLeader.SOURCE)) return made; // something else moves: wait
        }
        TreeMap<Long, StoreState> states = states(nowNanos);
        if (operators.isEmpty()) {
            Optional<Plan> move = BalanceRegion.plan(regions, states, operators.keySet());
            if (move.isPresent()) {
                Operator op = accept(move.get(), nowNanos, newPeerId);
                if (op != null) made.add(op);
                return made;
            }
        }
        // Leader transfers planned against counts that already include the ones in flight.
        List<RegionDirectory.Entry> view = new ArrayList<>(regions);
        while (operators.size() < settings.maxBalanceOperators()) {
            Optional<Plan> plan = BalanceLeader.plan(view, states, new HashSet<>(operators.keySet()));
            if (plan.isEmpty()) break;
            Operator op = accept(plan.get(), nowNanos, newPeerId);
            if (op == null) break;
            made.add(op);
            long to = ((OpStep.TransferLeader) op.steps().get(0)).storeId();
            for (int i = 0; i < view.size(); i++) {
                RegionDirectory.Entry e = view.get(i);
                if (e.region().getId() == op.regionId()) {
                    view.set(i, new RegionDirectory.Entry(e.region(), Operator.peerOn(e.region(), to),
                            e.approximateSize(), e.approximateKeys(), e.pendingPeers(), e.downPeers()));
                }
            }
        }
        return made;
    }

    Map<Long, Operator> operators() {
        return operators;
    }

    /** Makes {@code plan} an operator, with fresh peer ids; null when no id can be had now. */
    private Operator accept(Plan plan, long nowNanos, LongSupplier newPeerId) {
        List<OpStep> steps = new ArrayList<>(plan.steps().size());
        for (OpStep s : plan.steps()) {
            if (s instanceof OpStep.AddPeer a && a.peerId() == 0) {
                long id = newPeerId.getAsLong();
                if (id <= 0) return null;
                steps.add(new OpStep.AddPeer(a.storeId(), id));
            } else {
                steps.add(s);
            }
        }
        Operator op = new Operator(plan.regionId(), plan.source(), steps, nowNanos);
        operators.put(plan.regionId(), op);
        return op;
    }
}
