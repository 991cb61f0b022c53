package io.regionkv.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code regionkv bench}: end-to-end throughput and latency of puts and linearizable gets through the
 * Java client, against a cluster started in this process or an existing one ({@code --connect}), or
 * through the gRPC API of running nodes ({@code --endpoints}). Each
 * phase keeps a fixed number of requests in flight (see {@link LoadLoop}). Progress goes to {@code err}
 * once a second, the result table to {@code out}.
 */
public final class BenchCommand {

    /** How long the cluster may take to start and to accept its first write. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private BenchCommand() {}

    public static int run(BenchOptions options, PrintStream out, PrintStream err) {
        return run(options, ConfigFactory.load(), out, err);
    }

    static int run(BenchOptions o, Config base, PrintStream out, PrintStream err) {
        err.println("regionkv bench: " + (!o.endpoints().isEmpty() ? "calling gRPC endpoints " + o.endpoints()
                : o.connect() == null ? "starting " + o.nodes() + " nodes" : "connecting to " + o.connect()) + " ...");
        try (BenchTarget target = !o.endpoints().isEmpty() ? BenchTarget.grpc(o.endpoints(), base)
                : o.connect() == null ? BenchTarget.inProcess(o.nodes(), o.data(), base, START_TIMEOUT)
                : BenchTarget.connect(o.connect(), o.host(), o.stores(), base, START_TIMEOUT)) {
            long seed = System.nanoTime();
            BenchWorkload workload = new BenchWorkload(target.api(), o.valueSize(), seed);
            awaitWritable(workload);
            new BenchRegions(target.admin(), START_TIMEOUT, err).prepare(o.keys(), o.regions());
            Duration drain = target.requestTimeout().plusSeconds(5);
            // Load, then run (as YCSB does): every phase then measures a store that holds the whole key space,
            // puts overwriting as gets read, and a JVM whose compiler has seen the put path. Measured first, the
            // put phase at 1 in flight inserted into an empty tree and paid for C2 compiling the write path
            // (about 40 % of its CPU; BENCHMARKS.md, "Where the CPU of a put goes").
            long prefillErrors = Prefill.run(o.keys(), Collections.max(o.concurrency()), workload::put,
                    Duration.ofHours(1), err);
            List<PhaseResult> results = new ArrayList<>();
            for (int c : o.concurrency()) {
                results.add(new LoadLoop("put", c, o.keys(), workload::put, err, target.rounds()).run(o.warmup(), o.duration(), drain));
            }
            for (int c : o.concurrency()) {
                results.add(new LoadLoop("get", c, o.keys(), workload::get, err, target.rounds()).run(o.warmup(), o.duration(), drain));
            }
            out.printf("regionkv bench: %s; %s%d keys of %d bytes (all written first), values of %d bytes; warm-up %s, measured %s per phase%n",
                    target.description(), o.regions() > 1 ? o.regions() + " regions, " : "", o.keys(), BenchWorkload.KEY_BYTES, o.valueSize(), show(o.warmup()),
                    show(o.duration()));
            PhaseResult.printTable(results, out);
            if (prefillErrors > 0) out.println("prefill: " + prefillErrors + " puts failed");
            for (PhaseResult r : results) {
                if (r.firstError() != null) {
                    out.println(r.operation() + " in-flight " + r.concurrency() + ": first error: " + r.firstError());
                }
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("regionkv bench: " + e.getMessage());
            return 1;
        }
    }

    /** The first write waits for a leader; retries until one is elected, so that no phase measures that. */
    private static void awaitWritable(BenchWorkload workload) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                workload.put(0).toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster", e);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster accepts no write: " + e.getMessage(), e);
                }
            }
        }
    }

    private static String show(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
