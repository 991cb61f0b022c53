package io.regionkv.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.regionkv.raft.StateType;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges of this node's store that live in its peers: {@code regionkv.store.regions} (peers it holds),
 * {@code regionkv.store.leaders} (those that lead their region), {@code regionkv.store.pending.proposals}
 * and {@code regionkv.store.pending.reads} (summed over its peers), tagged with the store id.
 *
 * <p>The numbers live in the actors, so they are fetched by asking the store, once per scrape
 * ({@link #refresh}, called from the HTTP thread, never from an actor): the peers pay nothing between
 * scrapes. A store that does not answer in time leaves the last values and counts a miss in the counter
 * {@code regionkv.store.status.misses}.
 */
public final class StoreGauges {

    private final RegionKvNode node;
    private final AtomicLong regions = new AtomicLong();
    private final AtomicLong leaders = new AtomicLong();
    private final AtomicLong pendingProposals = new AtomicLong();
    private final AtomicLong pendingReads = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public StoreGauges(RegionKvNode node, MeterRegistry registry) {
        this.node = node;
        String store = Long.toString(node.storeId());
        Gauge.builder("regionkv.store.regions", regions, AtomicLong::get).tag("store", store)
                .description("region replicas held by this store").register(registry);
        Gauge.builder("regionkv.store.leaders", leaders, AtomicLong::get).tag("store", store)
                .description("regions this store leads").register(registry);
        Gauge.builder("regionkv.store.pending.proposals", pendingProposals, AtomicLong::get).tag("store", store)
                .description("writes and admin commands this store's leaders hold, not yet applied").register(registry);
        Gauge.builder("regionkv.store.pending.reads", pendingReads, AtomicLong::get).tag("store", store)
                .description("reads this store's peers hold, waiting for their read index or its apply")
                .register(registry);
        FunctionCounter.builder("regionkv.store.status.misses", misses, AtomicLong::get).tag("store", store)
                .description("scrapes at which the store did not report its status in time").register(registry);
    }

    /** Asks the store for its peers' status and updates the gauges; waits at most {@code timeoutMillis}. */
    public void refresh(long timeoutMillis) {
        try {
            List<PeerStatus> peers = node.status().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
            regions.set(peers.size());
            leaders.set(peers.stream().filter(p -> p.role() == StateType.LEADER).count());
            pendingProposals.set(peers.stream().mapToLong(PeerStatus::pendingProposals).sum());
            pendingReads.set(peers.stream().mapToLong(PeerStatus::pendingReads).sum());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            misses.incrementAndGet();
        } catch (Exception e) {
            misses.incrementAndGet();
        }
    }
}
