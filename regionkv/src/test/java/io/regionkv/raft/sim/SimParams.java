package io.regionkv.raft.sim;

import io.regionkv.raft.Config;
import java.util.Random;

/**
 * The knobs of one schedule, drawn from its Random so that schedules differ in raft settings and in how
 * hostile the environment is.
 *
 * @param steps events before the network heals for the liveness check
 * @param weights relative frequency of each {@link EventKind}, indexed by ordinal
 * @param lossRate chance that a delivered message is lost instead
 * @param dupRate chance that a delivered message stays in the network to be delivered again
 * @param reorderRate chance that a delivery takes any message rather than the oldest one of a link
 * @param persistAtOnce chance that a node persists a Ready in the same event that takes it
 * @param applyAtOnce chance that a node applies committed entries in the same event that persists them
 * @param fault a bug planted in the application, or {@link Fault#NONE}
 */
record SimParams(
        int steps,
        int[] weights,
        double lossRate,
        double dupRate,
        double reorderRate,
        double persistAtOnce,
        double applyAtOnce,
        boolean preVote,
        boolean checkQuorum,
        int electionTick,
        int heartbeatTick,
        long maxSizePerMsg,
        int maxInflightMsgs,
        long maxCommittedSizePerReady,
        int compactEvery,
        Fault fault) {

    private static final double[] CHAOS_LEVELS = {0.2, 1.0, 2.5};

    /** Base weights; each schedule scales every one by a random factor in [0.25, 1.75). */
    private static final int[] BASE_WEIGHTS = baseWeights();

    private static int[] baseWeights() {
        int[] w = new int[EventKind.values().length];
        w[EventKind.DELIVER.ordinal()] = 400;
        w[EventKind.READY.ordinal()] = 250;
        w[EventKind.TICK.ordinal()] = 150;
        w[EventKind.APPLY.ordinal()] = 60;
        w[EventKind.PROPOSE.ordinal()] = 60;
        w[EventKind.READ_INDEX.ordinal()] = 30;
        w[EventKind.PARTITION.ordinal()] = 5;
        w[EventKind.HEAL.ordinal()] = 10;
        w[EventKind.CRASH.ordinal()] = 5;
        w[EventKind.RESTART.ordinal()] = 25;
        w[EventKind.CONF_CHANGE.ordinal()] = 15;
        w[EventKind.COMPACT.ordinal()] = 20;
        w[EventKind.TRANSFER_LEADER.ordinal()] = 8;
        return w;
    }

    static SimParams random(Random rnd, int steps) {
        // Some schedules are calm (throughput, long logs), some stormy (elections, lost entries).
        double chaos = CHAOS_LEVELS[rnd.nextInt(CHAOS_LEVELS.length)];
        int[] w = new int[BASE_WEIGHTS.length];
        for (int i = 0; i < w.length; i++) {
            double scale = 0.25 + 1.5 * rnd.nextDouble();
            if (i == EventKind.PARTITION.ordinal() || i == EventKind.CRASH.ordinal()
                    || i == EventKind.TRANSFER_LEADER.ordinal()) {
                scale *= chaos;
            }
            w[i] = (int) Math.max(1, BASE_WEIGHTS[i] * scale);
        }
        // Short timeouts: a schedule is only some hundred ticks long, and elections are what we test most.
        int heartbeat = 1 + rnd.nextInt(2);
        int election = heartbeat * (3 + rnd.nextInt(heartbeat == 1 ? 8 : 4));
        // One entry per append (maxSize 1) lets a follower hold an old entry without the leader's newer
        // ones after it: the shape of the logs in the Raft paper's figure 8.
        long maxSize = switch (rnd.nextInt(3)) {
            case 0 -> Config.DEFAULT_MAX_SIZE_PER_MSG;
            case 1 -> 1;
            default -> 32 + rnd.nextInt(400);
        };
        int inflight = rnd.nextBoolean() ? Config.DEFAULT_MAX_INFLIGHT_MSGS : 1 + rnd.nextInt(4);
        long committedSize = rnd.nextBoolean() ? Config.DEFAULT_MAX_COMMITTED_SIZE_PER_READY : 16 + rnd.nextInt(200);
        return new SimParams(steps, w, rnd.nextDouble() * 0.08 * chaos, rnd.nextDouble() * 0.05 * chaos,
                Math.min(1, rnd.nextDouble() * 0.2 * chaos), rnd.nextDouble(),
                rnd.nextDouble() * 0.5, rnd.nextBoolean(), rnd.nextBoolean(), election, heartbeat, maxSize, inflight,
                committedSize, 2 + rnd.nextInt(40), Fault.NONE);
    }

    SimParams withFault(Fault f) {
        return new SimParams(steps, weights, lossRate, dupRate, reorderRate, persistAtOnce, applyAtOnce, preVote,
                checkQuorum, electionTick, heartbeatTick, maxSizePerMsg, maxInflightMsgs, maxCommittedSizePerReady,
                compactEvery, f);
    }

    Config.Builder config(long id) {
        return Config.builder()
                .id(id)
                .electionTick(electionTick)
                .heartbeatTick(heartbeatTick)
                .maxSizePerMsg(maxSizePerMsg)
                .maxInflightMsgs(maxInflightMsgs)
                .maxCommittedSizePerReady(maxCommittedSizePerReady)
                .preVote(preVote)
                .checkQuorum(checkQuorum);
    }

    /**
     * Draws the next event. Delivery grows more likely as messages pile up, as a network's throughput
     * would: otherwise a backlog builds in which a dead leader's appends keep arriving for hundreds of
     * steps and hold elections off.
     */
    EventKind pick(Random rnd, int inFlight) {
        int deliver = EventKind.DELIVER.ordinal();
        long boosted = (long) weights[deliver] * (1 + inFlight / 8);
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            total += i == deliver ? boosted : weights[i];
        }
        long r = (long) (rnd.nextDouble() * total);
        EventKind[] kinds = EventKind.values();
        for (int i = 0; i < weights.length; i++) {
            r -= i == deliver ? boosted : weights[i];
            if (r < 0) {
                return kinds[i];
            }
        }
        return kinds[kinds.length - 1];
    }

    @Override
    public String toString() {
        StringBuilder w = new StringBuilder();
        EventKind[] kinds = EventKind.values();
        for (int i = 0; i < weights.length; i++) {
            w.append(i == 0 ? "" : " ").append(kinds[i]).append('=').append(weights[i]);
        }
        return String.format("steps=%d loss=%.3f dup=%.3f reorder=%.3f persistAtOnce=%.2f applyAtOnce=%.2f preVote=%s "
                        + "checkQuorum=%s election=%d heartbeat=%d maxSizePerMsg=%d maxInflight=%d "
                        + "maxCommittedSizePerReady=%d compactEvery=%d fault=%s weights[%s]",
                steps, lossRate, dupRate, reorderRate, persistAtOnce, applyAtOnce, preVote, checkQuorum, electionTick,
                heartbeatTick, maxSizePerMsg, maxInflightMsgs, maxCommittedSizePerReady, compactEvery, fault, w);
    }
}
