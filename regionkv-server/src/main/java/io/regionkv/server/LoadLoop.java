package io.regionkv.server;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of asynchronous operations in flight on uniformly random keys: each completion
 * records its latency and starts the next operation, so concurrency costs no threads and the client is
 * never idle waiting for a thread. The calling thread only keeps time: once a second it prints the rate
 * and p99 so far; after the warm-up it throws away what it has seen and measures for the duration.
 */
final class LoadLoop {

    /** Starts one operation on key number {@code key}. */
    interface Operation {
        CompletionStage<?> start(int key);
    }

    /** Longest latency the histograms resolve (one hour, in microseconds); longer ones are clamped. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** How long a slot waits after its operation was refused as busy, before it starts the next one. */
    private static final Duration BUSY_PAUSE = Duration.ofMillis(100);
    /** One daemon thread for those pauses (the JDK's delayed executor starts a thread per task on 2 cores). */
    private static final java.util.concurrent.ScheduledExecutorService PAUSES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-busy-pause");
                t.setDaemon(true);
                return t;
            });

    private final String name;
    private final int concurrency;
    private final int keys;
    private final Operation operation;
    private final PrintStream progress;
    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final LongAdder errors = new LongAdder();
    /** Of the errors: refused as busy (typed), and run out of their deadline; the rest are other failures. */
    private final LongAdder busy = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile long stopAt;
    /** The round counters of the cluster's stores when they run in this process, else null. */
    private final Supplier<StoreRounds> rounds;

    LoadLoop(String name, int concurrency, int keys, Operation operation, PrintStream progress,
            Supplier<StoreRounds> rounds) {
        this.name = name;
        this.concurrency = concurrency;
        this.keys = keys;
        this.operation = operation;
        this.progress = progress;
        this.rounds = rounds;
    }

    /** Runs the warm-up, then the measured window; returns once the operations still in flight are done. */
    PhaseResult run(Duration warmup, Duration duration, Duration drainTimeout) {
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        stopAt = measureFrom + duration.toNanos();
        inFlight.set(concurrency);
        for (int i = 0; i < concurrency; i++) issue();

        Histogram seen = newHistogram();
        for (long tick = start + SECOND; tick < measureFrom; tick += SECOND) {
            sleepUntil(tick);
            seen.add(recorder.getIntervalHistogram());
            report("warm-up", tick - start, seen, errors.sum());
        }
        sleepUntil(measureFrom);
        recorder.getIntervalHistogram(); // everything before this instant was warm-up
        errors.reset();
        busy.reset();
        timedOut.reset();
        firstError.set(null);
        long cpuFrom = processCpuNanos();
        StoreRounds roundsFrom = rounds == null ? null : rounds.get();
        long from = System.nanoTime();

        Histogram measured = newHistogram();
        for (long tick = from + SECOND; tick < stopAt; tick += SECOND) {
            sleepUntil(tick);
            measured.add(recorder.getIntervalHistogram());
            report("measure", System.nanoTime() - from, measured, errors.sum());
        }
        sleepUntil(stopAt);
        measured.add(recorder.getIntervalHistogram());
        long to = System.nanoTime();
        long cpuTo = processCpuNanos();
        StoreRounds roundsIn = rounds == null ? null : rounds.get().since(roundsFrom);
        long errorCount = errors.sum();
        report("measure", to - from, measured, errorCount);
        if (errorCount > 0) {
            long b = busy.sum();
            long t = timedOut.sum();
            progress.println(String.format(Locale.ROOT, "%s in-flight %d: errors %d = %d busy + %d timed out + %d other",
                    name, concurrency, errorCount, b, t, errorCount - b - t));
        }
        Throwable first = firstError.get();
        awaitDrained(drainTimeout);
        return new PhaseResult(name, concurrency, (to - from) / 1e9, measured, errorCount,
                first == null ? null : String.valueOf(first.getMessage()),
                cpuFrom < 0 || cpuTo < 0 ? -1 : cpuTo - cpuFrom, roundsIn);
    }

    private void issue() {
        while (System.nanoTime() - stopAt < 0) {
            int key = ThreadLocalRandom.current().nextInt(keys);
            long t0 = System.nanoTime();
            CompletionStage<?> op;
            try {
                op = operation.start(key);
            } catch (RuntimeException e) {
                failed(e);
                continue; // refused before anything was sent: try the next key
            }
            op.whenComplete((result, error) -> {
                long micros = (System.nanoTime() - t0) / 1000;
                if (error == null) {
                    recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
                } else if (failed(error) == ErrorKind.BUSY) {
                    // Told to come back later, this slot does, as a client honouring ServerIsBusy would;
                    // starting its next operation at once would only feed the overload it was told of.
                    PAUSES.schedule(this::issue, BUSY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
                issue();
            });
            return;
        }
        if (inFlight.decrementAndGet() == 0) drained.complete(null);
    }

    private ErrorKind failed(Throwable error) {
        errors.increment();
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        firstError.compareAndSet(null, cause);
        ErrorKind kind = ErrorKind.of(cause);
        switch (kind) {
            case BUSY -> busy.increment();
            case TIMED_OUT -> timedOut.increment();
            default -> { }
        }
        return kind;
    }

    private void awaitDrained(Duration timeout) {
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            progress.println(name + ": " + inFlight.get() + " operations still unanswered " + timeout.toSeconds()
                    + " s after the end of the phase");
        }
    }

    private void report(String stage, long elapsedNanos, Histogram h, long errorCount) {
        double seconds = elapsedNanos / 1e9;
        progress.println(String.format(Locale.ROOT, "%-6s in-flight %-5d %-7s %3.0fs %10.0f ops/s  p99 %8.2f ms%s",
                name, concurrency, stage, seconds, h.getTotalCount() / seconds,
                h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(99) / 1000.0,
                errorCount == 0 ? "" : "  errors " + errorCount));
    }

    /** CPU time of all threads of this process so far, or -1 where the JVM does not offer it. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
