package io.regionkv.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code regionkv bench} was asked to measure, and against what (the command line reads it:
 * {@code io.regionkv.cli}).
 *
 * @param connect     an existing cluster to join as a client-only node; null starts {@code nodes} nodes in
 *                    this process
 * @param data        where the in-process cluster keeps its data; null: a fresh temporary directory,
 *                    removed afterwards
 * @param host        with {@code connect}, the address of this client node that the cluster can reach
 * @param stores      with {@code connect}, the stores asked first where regions are
 * @param endpoints   gRPC addresses of running nodes to call instead (empty: not over gRPC); then
 *                    {@code connect} is null
 */
public record BenchOptions(HostPort connect, String host, List<Long> stores, Path data, int nodes, int keys,
        int valueSize, List<Integer> concurrency, Duration warmup, Duration duration, List<HostPort> endpoints) {

    /** Keys are 16 bytes: {@code k} and 15 decimal digits. */
    public static final int MAX_KEYS = 100_000_000;

    public BenchOptions {
        stores = List.copyOf(stores);
        concurrency = List.copyOf(concurrency);
        endpoints = List.copyOf(endpoints);
        if (connect != null && !endpoints.isEmpty()) {
            throw new IllegalArgumentException("a bench joins a cluster (connect) or calls gRPC endpoints, not both");
        }
    }
}
