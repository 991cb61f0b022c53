package io.regionkv.nemesis;

import io.grpc.StatusRuntimeException;
import io.regionkv.testkit.CheckResult;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.LinearizabilityChecker;
import io.regionkv.testing.ServerProcesses;
import io.regionkv.testkit.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * One nemesis run: three {@code regionkv server} JVMs, the {@link Workload} running throughout, and a
 * schedule of faults, each in a {@link Phase} of its own. At the end every phase's register history is
 * checked for linearizability and its lists are read once more; the table of phases is printed and
 * returned. The schedule comes from {@code seed} (printed; {@code -Dnemesis.seed=N} replays it).
 */
final class NemesisRun {

    static final String SEED_PROPERTY = "nemesis.seed";
    private static final int STORES = 3;
    private static final Duration START = Duration.ofSeconds(180);

    private NemesisRun() {}

    static long seed(String name) {
        String given = System.getProperty(SEED_PROPERTY);
        long seed = given == null || given.isBlank() ? System.nanoTime() : Long.parseLong(given.trim());
        System.out.println(name + ": seed " + seed + " (replay the fault schedule with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    /**
     * Runs the faults {@code schedule} gives for phases 1, 2, ... until it gives {@code null}, and returns
     * the rows of the table (phase 0 is a quiet warm-up).
     */
    static List<NemesisRow> run(String name, long seed, IntFunction<FaultKind> schedule) throws Exception {
        Random random = new Random(seed);
        Path base = Files.createTempDirectory("regionkv-nemesis");
        Path partitionFile = base.resolve("partition");
        System.out.println(name + ": data and server logs in " + base);
        List<Phase> phases = new ArrayList<>();
        try (ServerProcesses servers = new ServerProcesses(base, STORES, List.of(
                "-Dregionkv.testing.partition-file=" + partitionFile,
                // Long enough that a SIGSTOP of a few seconds is not taken for a crash (which the Split Brain
                // Resolver would answer by downing the node), short enough to notice a real one.
                "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=10s"));
                Nodes nodes = new Nodes(servers, STORES)) {
            for (int s = 1; s <= STORES; s++) servers.start(s);
            for (int s = 1; s <= STORES; s++) servers.awaitReady(s, 0, START);
            for (int s = 1; s <= STORES; s++) {
                servers.awaitServing(s, START);
                nodes.connect(s);
            }
            ClusterSystems.awaitCondition("a first write", START, () -> nodes.serves(1, "nemesis/hello", Duration.ofSeconds(5)));

            Phase warmUp = new Phase(0, null);
            phases.add(warmUp);
            Workload workload = new Workload(nodes, warmUp);
            workload.start(3, 2, seed);
            Nemesis nemesis = new Nemesis(servers, nodes, workload, partitionFile, random);
            Thread.sleep(2000);
            for (int i = 1; ; i++) {
                FaultKind kind = schedule.apply(i);
                if (kind == null) break;
                Phase phase = new Phase(i, kind);
                phases.add(phase);
                workload.phase(phase);
                Thread.sleep(1000);
                nemesis.run(kind, phase);
                System.out.println(name + ": phase " + i + ": " + phase.fault + ", recovered in " + phase.recoveryMillis
                        + " ms " + phase.recoveryNote);
                Thread.sleep(1500);
            }
            workload.stop();
            for (Phase p : phases) finalListRead(nodes, p);
        }
        List<NemesisRow> rows = new ArrayList<>();
        LinearizabilityChecker checker = new LinearizabilityChecker();
        for (Phase p : phases) {
            CheckResult verdict = checker.check(p.history.history());
            rows.add(new NemesisRow(p.index, p.kind, p.fault, p.operations.get(), p.acknowledged.get(), p.unknown.get(),
                    p.missingAppends.size(), p.phantomAppends.size(), verdict, p.recoveryMillis, p.recoveryNote));
        }
        System.out.println(name + " (seed " + seed + "):\n" + NemesisRow.table(rows));
        // The servers are stopped. A run that threw, or a phase that failed, keeps its data and logs for reading.
        if (rows.stream().allMatch(NemesisRow::passed)) TempDirs.deleteTree(base);
        return rows;
    }

    /** Reads the lists of {@code p} once more after the run: every acknowledged append must still be there. */
    private static void finalListRead(Nodes nodes, Phase p) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int attempt = 0; ; attempt++) {
            long invoked = System.nanoTime();
            try {
                Set<String> seen = Workload.scan(nodes.channel(attempt % STORES + 1), p);
                p.checkListRead(seen, invoked);
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) throw new AssertionError("cannot read the lists of phase " + p.index, e);
            }
        }
    }
}
