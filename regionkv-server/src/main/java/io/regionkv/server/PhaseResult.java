package io.regionkv.server;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one measured phase of {@code regionkv bench} saw: successful operations and their latencies (in
 * microseconds) over the measured window, the operations that failed in it, and the CPU time this process
 * spent in the window (-1 when the JVM cannot tell). On a shared machine the CPU time per operation is the
 * steadier figure: it does not depend on how much of the CPU other processes leave over. With the
 * cluster in this process, also the rounds its stores ran in the window ({@code rounds}, else null).
 */
record PhaseResult(String operation, int concurrency, double seconds, Histogram latencyMicros, long errors,
        String firstError, long cpuNanos, StoreRounds rounds) {

    long ops() {
        return latencyMicros.getTotalCount();
    }

    double opsPerSecond() {
        return seconds <= 0 ? 0 : ops() / seconds;
    }

    double millisAt(double percentile) {
        return ops() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return ops() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    /** Process CPU time per successful operation, in microseconds; -1 when unknown. */
    double cpuMicrosPerOp() {
        return cpuNanos < 0 || ops() == 0 ? -1 : cpuNanos / 1000.0 / ops();
    }

    static final String HEADER = String.format(Locale.ROOT, "%-6s %9s %10s %9s %9s %9s %9s %8s %10s",
            "op", "in-flight", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "cpu us/op");

    String row() {
        return String.format(Locale.ROOT, "%-6s %9d %10.0f %9.2f %9.2f %9.2f %9.2f %8d %10.0f", operation,
                concurrency, opsPerSecond(), millisAt(50), millisAt(99), millisAt(99.9), maxMillis(), errors,
                cpuMicrosPerOp());
    }

    static void printTable(List<PhaseResult> results, PrintStream out) {
        out.println(HEADER);
        for (PhaseResult r : results) out.println(r.row());
        if (results.stream().anyMatch(r -> r.rounds() != null)) {
            out.println();
            out.println("rounds of the stores in each measured window (raft-log writes and apply batches of all peers):");
            out.println(StoreRounds.HEADER);
            for (PhaseResult r : results) {
                if (r.rounds() != null) out.println(r.rounds().row(r.operation(), r.concurrency()));
            }
        }
    }
}
