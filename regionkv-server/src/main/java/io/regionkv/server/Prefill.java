package io.regionkv.server;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes every key of the key space once, in key order, with a fixed number of puts in flight, before any
 * phase is measured: the put phases then overwrite a full key space and the read phases find a value under
 * every key they ask for.
 */
final class Prefill {

    private final int keys;
    private final LoadLoop.Operation put;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder done = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private Prefill(int keys, LoadLoop.Operation put) {
        this.keys = keys;
        this.put = put;
    }

    /**
     * Writes keys {@code 0..keys-1}; answers how many puts failed. Gives up waiting after {@code timeout}.
     *
     * @throws IllegalStateException if the puts are not all answered within {@code timeout}
     */
    static long run(int keys, int concurrency, LoadLoop.Operation put, Duration timeout, PrintStream progress) {
        Prefill p = new Prefill(keys, put);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int slots = Math.min(concurrency, keys);
        p.active.set(slots);
        for (int i = 0; i < slots; i++) p.issue();
        long tick = start;
        while (!p.finished.isDone()) {
            tick += TimeUnit.SECONDS.toNanos(1);
            if (tick - deadline > 0) tick = deadline;
            try {
                p.finished.get(Math.max(0, tick - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("prefill not done after " + timeout.toSeconds() + " s ("
                            + p.done.sum() + " of " + keys + " keys written)");
                }
                progress.printf("prefill %d/%d keys%n", p.done.sum(), keys);
            } catch (Exception e) {
                throw new IllegalStateException("prefill failed", e);
            }
        }
        progress.printf("prefill %d keys in %.1f s, %d errors%s%n", keys, (System.nanoTime() - start) / 1e9,
                p.errors.sum(), p.firstError.get() == null ? "" : " (first: " + p.firstError.get().getMessage() + ")");
        return p.errors.sum();
    }

    private void issue() {
        int key;
        while ((key = next.getAndIncrement()) < keys) {
            try {
                put.start(key).whenComplete((r, e) -> {
                    if (e != null) failed(e);
                    done.increment();
                    issue();
                });
                return;
            } catch (RuntimeException e) {
                failed(e);
                done.increment();
            }
        }
        if (active.decrementAndGet() == 0) finished.complete(null);
    }

    private void failed(Throwable e) {
        errors.increment();
        firstError.compareAndSet(null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
    }
}
