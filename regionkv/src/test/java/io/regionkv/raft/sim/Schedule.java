package io.regionkv.raft.sim;

import java.util.Random;

/**
 * One randomized run: a cluster and {@code steps} events chosen by a Random seeded with {@code seed} and
 * nothing else, then a healed network on which the cluster must make progress again.
 */
final class Schedule {
    /**
     * Rounds (every node ticks once, every message is delivered) a healed cluster gets to commit again.
     * Most need under 100; without pre-vote, candidates with stale logs can keep resetting the one node
     * that could win, a geometric wait with a long tail (132 rounds seen in 20,000 schedules). The bound
     * is there to catch a cluster that cannot recover at all, not a slow one.
     */
    static final int LIVENESS_ROUNDS = 1000;

    /** What a schedule did, for the run summary. */
    record Result(long seed, int steps, long delivered, long proposals, long readsAnswered, long crashes,
            long snapshotsSent, long truncations, long committed, int leaderTerms, int membershipChanges, int livenessRounds) {}

    private Schedule() {}

    static Result run(long seed, int steps) {
        return run(seed, steps, Fault.NONE);
    }

    static Result run(long seed, int steps, Fault fault) {
        Random rnd = new Random(seed);
        SimParams params = SimParams.random(rnd, steps).withFault(fault);
        SimulatedCluster cluster = new SimulatedCluster(rnd, params);
        long step = 0;
        try {
            for (; step < steps; step++) {
                cluster.step(step);
            }
            cluster.checkLogMatching();
            int rounds = cluster.healAndAwaitLiveness(LIVENESS_ROUNDS);
            return new Result(seed, steps, cluster.delivered, cluster.proposals, cluster.readsAnswered,
                    cluster.crashes, cluster.snapshotsSent, cluster.truncations(), cluster.checker().maxCommitted(), cluster.checker().leaderTerms(),
                    cluster.membershipChanges(), rounds);
        } catch (RuntimeException | AssertionError e) {
            throw new SimulationFailure(seed, step, cluster.describe(), cluster.trace().dump(), e);
        }
    }

    /** The seed of schedule {@code i} of a run: spread out so neighbouring runs share nothing. */
    static long seedOf(long masterSeed, int i) {
        long z = masterSeed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
