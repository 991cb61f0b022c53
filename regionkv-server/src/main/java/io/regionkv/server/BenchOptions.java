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
 * @param regions     how many regions to split the key space into before measuring, leaders spread over
 *                    the stores (1: leave the cluster as it is)
 */
public record BenchOptions(HostPort connect, String host, List<Long> stores, Path data, int nodes, int keys,
        int valueSize, List<Integer> concurrency, Duration warmup, Duration duration, List<HostPort> endpoints, int regions) {

    /** Keys are 16 bytes: {@code k} and 15 decimal digits. */
    public static final int MAX_KEYS = 100_000_000;

    public BenchOptions {
        stores = List.copyOf(stores);
        concurrency = List.copyOf(concurrency);
        endpoints = List.copyOf(endpoints);
        if (connect != null && !endpoints.isEmpty()) {
            throw new IllegalArgumentException("a bench joins a cluster (connect) or calls gRPC endpoints, not both");
        }
        if (regions < 1 || regions > keys) {
            throw new IllegalArgumentException("regions must be between 1 and the key count " + keys + ", was " + regions);
        }
    }

    /** Options that leave the cluster's regions as they are. */
    public BenchOptions(HostPort connect, String host, List<Long> stores, Path data, int nodes, int keys,
            int valueSize, List<Integer> concurrency, Duration warmup, Duration duration, List<HostPort> endpoints) {
        this(connect, host, stores, data, nodes, keys, valueSize, concurrency, warmup, duration, endpoints, 1);
    }
}
