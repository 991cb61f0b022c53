package io.regionkv.nemesis;

import io.regionkv.testing.ServerProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Injects one fault into the server processes, heals it and measures the recovery: how long after the
 * heal (a JVM start, SIGCONT, the partition lifted) the faulted node answers a put and a get through its
 * own gRPC endpoint; after a whole-cluster restart, also when the first node did. Targets and holding times
 * are drawn from the run's seeded {@link Random}, so a seed replays the schedule.
 */
final class Nemesis {

    /** Longer than the servers' election timeout (50 ms ticks, 10 to 20 ticks), shorter than failure detection. */
    private static final Duration PAUSE_MIN = Duration.ofMillis(2000);
    /** How long a recovering node may take before the run fails (generous: the machine is shared). */
    static final Duration RECOVERY_LIMIT = Duration.ofSeconds(120);

    private final ServerProcesses servers;
    private final Nodes nodes;
    private final Workload workload;
    private final Path partitionFile;
    private final Random random;

    Nemesis(ServerProcesses servers, Nodes nodes, Workload workload, Path partitionFile, Random random) {
        this.servers = servers;
        this.nodes = nodes;
        this.workload = workload;
        this.partitionFile = partitionFile;
        this.random = random;
    }

    /** Runs {@code kind} against the cluster and fills in the fault and recovery columns of {@code phase}. */
    void run(FaultKind kind, Phase phase) throws IOException, InterruptedException {
        int target = random.nextInt(nodes.count()) + 1;
        long hold = PAUSE_MIN.toMillis() + random.nextInt(1500);
        switch (kind) {
            case KILL_RANDOM -> restart(phase, kind, target, hold);
            case KILL_LEADER -> {
                OptionalInt leader = nodes.leader();
                restart(phase, kind, leader.orElse(target), hold);
            }
            case PAUSE -> {
                phase.fault = kind.label + " s" + target + " " + hold + "ms";
                workload.usable(target, false);
                servers.pause(target);
                Thread.sleep(hold);
                servers.resume(target);
                long healed = System.nanoTime();
                phase.recoveryMillis = awaitServing(target, "nemesis/probe/" + phase.index, healed);
                workload.usable(target, true);
            }
            case PARTITION -> {
                phase.fault = kind.label + " s" + target + " " + hold + "ms";
                Files.writeString(partitionFile, Integer.toString(target));
                Thread.sleep(hold);
                Files.writeString(partitionFile, "");
                long healed = System.nanoTime();
                phase.recoveryMillis = awaitServing(target, "nemesis/probe/" + phase.index, healed);
            }
            case KILL_ALL -> {
                phase.fault = kind.label + " " + hold + "ms";
                for (int s = 1; s <= nodes.count(); s++) workload.usable(s, false);
                for (int s = 1; s <= nodes.count(); s++) servers.kill(s);
                Thread.sleep(hold);
                long started = System.nanoTime();
                for (int s = 1; s <= nodes.count(); s++) servers.start(s);
                for (int s = 1; s <= nodes.count(); s++) {
                    servers.awaitServing(s, RECOVERY_LIMIT);
                    nodes.connect(s);
                }
                long first = awaitAnyServing("nemesis/probe/" + phase.index, started);
                long all = 0;
                for (int s = 1; s <= nodes.count(); s++) {
                    all = Math.max(all, awaitServing(s, "nemesis/probe/" + phase.index + "/" + s, started));
                    workload.usable(s, true);
                }
                phase.recoveryMillis = first;
                phase.recoveryNote = "all " + all + "ms";
            }
        }
    }

    private void restart(Phase phase, FaultKind kind, int target, long hold) throws IOException, InterruptedException {
        phase.fault = kind.label + " s" + target + " " + hold + "ms";
        workload.usable(target, false);
        servers.kill(target);
        Thread.sleep(hold);
        long started = System.nanoTime();
        servers.start(target);
        servers.awaitServing(target, RECOVERY_LIMIT);
        nodes.connect(target);
        phase.recoveryMillis = awaitServing(target, "nemesis/probe/" + phase.index, started);
        workload.usable(target, true);
    }

    /** Milliseconds from {@code sinceNanos} until {@code store} answers a put and a get. */
    private long awaitServing(int store, String probeKey, long sinceNanos) throws InterruptedException {
        while (!nodes.serves(store, probeKey, Duration.ofSeconds(2))) {
            checkTime(sinceNanos, "store " + store + " serving again");
            Thread.sleep(50);
        }
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private long awaitAnyServing(String probeKey, long sinceNanos) throws InterruptedException {
        List<Integer> stores = new ArrayList<>();
        for (int s = 1; s <= nodes.count(); s++) stores.add(s);
        while (true) {
            for (int s : stores) {
                if (nodes.serves(s, probeKey, Duration.ofMillis(500))) return (System.nanoTime() - sinceNanos) / 1_000_000;
            }
            checkTime(sinceNanos, "any store serving after the whole cluster restarted");
            Thread.sleep(50);
        }
    }

    private static void checkTime(long sinceNanos, String what) {
        if (System.nanoTime() - sinceNanos > RECOVERY_LIMIT.toNanos()) {
            throw new AssertionError("no " + what + " within " + RECOVERY_LIMIT.toSeconds() + " s");
        }
    }
}
