package io.regionkv.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds histories that are linearizable by construction: every operation gets a linearization point, the
 * operations are applied to real registers in point order to learn what reads return, and each interval
 * is drawn around its point. Written values are unique, which the corruption tests rely on.
 */
final class HistoryGenerator {

    private final SplittableRandom random;
    private final double readShare;
    private final double deleteShare;
    private final double pendingShare;
    private int nextValue;

    HistoryGenerator(SplittableRandom random, double readShare, double deleteShare, double pendingShare) {
        this.random = random;
        this.readShare = readShare;
        this.deleteShare = deleteShare;
        this.pendingShare = pendingShare;
    }

    /**
     * {@code count} operations with points 10 apart over {@code keys} keys, each interval reaching up to
     * {@code reach} before and after its point, independently of any client: this gives much more varied
     * overlap than sequential clients do.
     */
    List<Operation> free(int count, int keys, long reach) {
        List<Planned> plan = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long point = 10L * i + 1_000_000;
            long invoke = point - random.nextLong(reach + 1);
            long ret = point + random.nextLong(reach + 1);
            plan.add(new Planned(random.nextInt(clientsFor(count)), "k" + random.nextInt(keys), invoke, point, ret));
        }
        return apply(plan);
    }

    /**
     * {@code clients} clients, each issuing {@code perClient} operations one after another over
     * {@code keys} keys, each operation taking up to {@code maxDuration} with its point somewhere inside.
     * A pending operation's client moves on after its timeout, as a real client would.
     */
    List<Operation> clients(int clients, int perClient, int keys, long maxDuration) {
        List<Planned> plan = new ArrayList<>(clients * perClient);
        for (int c = 0; c < clients; c++) {
            long t = random.nextLong(maxDuration);
            for (int i = 0; i < perClient; i++) {
                long duration = 1 + random.nextLong(maxDuration);
                long point = t + random.nextLong(duration + 1);
                plan.add(new Planned(c, "k" + random.nextInt(keys), t, point, t + duration));
                t += duration + 1 + random.nextLong(maxDuration / 4 + 1);
            }
        }
        return apply(plan);
    }

    private static int clientsFor(int count) {
        return Math.max(1, Math.min(10, count / 4));
    }

    private List<Operation> apply(List<Planned> plan) {
        plan.sort(Comparator.comparingLong(Planned::point));
        Map<String, String> registers = new HashMap<>();
        List<Operation> history = new ArrayList<>(plan.size());
        for (Planned p : plan) {
            double kind = random.nextDouble();
            boolean pending = random.nextDouble() < pendingShare;
            // Half of the pending writes never took effect; the other half did, at their point.
            boolean effective = !pending || random.nextBoolean();
            long ret = pending ? Operation.PENDING : p.ret;
            if (kind < readShare) {
                String seen = registers.get(p.key);
                history.add(pending ? new Operation(p.client, Operation.Kind.GET, p.key, null, null, p.invoke, ret)
                        : Operation.get(p.client, p.key, seen, p.invoke, ret));
            } else if (kind < readShare + deleteShare) {
                if (effective) {
                    registers.remove(p.key);
                }
                history.add(Operation.delete(p.client, p.key, p.invoke, ret));
            } else {
                String value = "v" + nextValue++;
                if (effective) {
                    registers.put(p.key, value);
                }
                history.add(Operation.put(p.client, p.key, value, p.invoke, ret));
            }
        }
        return history;
    }

    private record Planned(int client, String key, long invoke, long point, long ret) {
    }
}
