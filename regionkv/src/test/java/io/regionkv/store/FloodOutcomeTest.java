package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.ClientSettings;
import io.regionkv.client.RegionKvBusyException;
import io.regionkv.client.RegionKvClient;
import io.regionkv.engine.Db;
import io.regionkv.engine.ReadView;
import io.regionkv.RegionKvNode;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.StoreDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 20,000 writes issued at once through the Java client against one region whose peer may hold only a few:
 * each ends as a success or as a typed {@link RegionKvBusyException}, none by running out its deadline,
 * although the flood takes longer to drain than one request may wait. The peer's queues never hold more than
 * their bounds (sampled from the peer's status while the flood runs); every acknowledged write is there and
 * no refused one is. Without the client's busy budget the unlucky requests kept retrying until their
 * deadline and failed as timeouts.
 */
class FloodOutcomeTest {

    private static final int BOUND = 16;
    private static final int FLOOD = 20_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(4);
    /** A property, so that a run can show what happens without a budget: {@code -Dregionkv.test.flood-busy-budget-ms=3600000}. */
    private static final Duration BUSY_BUDGET = Duration.ofMillis(Long.getLong("regionkv.test.flood-busy-budget-ms", 300));
    private static ActorTestKit kit;
    private static RegionKvNode node;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("regionkv-flood");
        kit = ActorTestKit.create(ConfigFactory.parseString("regionkv.raft.tick-interval = 20ms\n"
                + "regionkv.flow-control.max-proposals-per-peer = " + BOUND + "\n"
                + "regionkv.flow-control.max-pending-reads-per-peer = " + BOUND + "\n"
                + "regionkv.flow-control.busy-backoff = 5ms")
                .withFallback(ConfigFactory.load()));
        StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.store-id = 1\nregionkv.initial-stores = [1]\nregionkv.data-dir = \"" + dir + "\"")
                .withFallback(kit.system().settings().config()));
        node = RegionKvNode.start(kit.system(), settings, new ArteryRaftTransport(StoreDirectory.get(kit.system())));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
        TempDirs.deleteTree(dir);
    }

    @Test
    void everyRequestOfAFloodIsServedOrToldBusyNoneWaitsOutItsDeadline() throws Exception {
        RegionKvClient client = new RegionKvClient(kit.system(), ClientSettings.defaults()
                .withInitialStores(List.of(1L)).withRequestTimeout(Duration.ofSeconds(30)));
        client.put(bytes("warm"), bytes("x")).toCompletableFuture().get(30, TimeUnit.SECONDS); // a leader is there

        RegionKvClient flooding = new RegionKvClient(kit.system(), ClientSettings.defaults()
                .withInitialStores(List.of(1L)).withRequestTimeout(REQUEST_TIMEOUT).withBusyBudget(BUSY_BUDGET));
        AtomicInteger maxProposals = new AtomicInteger();
        AtomicInteger maxReads = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(maxProposals, maxReads, running), "pending-sampler");
        sampler.start();

        Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> puts = new ArrayList<>(FLOOD);
        long start = System.nanoTime();
        for (int i = 0; i < FLOOD; i++) {
            int n = i;
            puts.add(flooding.put(bytes("f" + i), bytes("v" + i)).toCompletableFuture()
                    .whenComplete((ok, error) -> {
                        if (error != null) failures.put(n, error instanceof CompletionException c ? c.getCause() : error);
                    }));
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture[0]))
                .handle((ok, error) -> null).get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();

        int busy = 0;
        for (Map.Entry<Integer, Throwable> f : failures.entrySet()) {
            if (!(f.getValue() instanceof RegionKvBusyException b)) {
                throw new AssertionError("put f" + f.getKey() + " ended neither served nor busy", f.getValue());
            }
            assertTrue(b.storeError().orElseThrow().hasServerIsBusy(), "typed busy: " + b);
            busy++;
        }
        int served = FLOOD - busy;
        System.out.printf("FloodOutcomeTest: %d served, %d busy of %d in %.1f s; the peer held at most %d writes"
                + " (bound %d)%n", served, busy, FLOOD, seconds, maxProposals.get(), BOUND);
        assertTrue(served >= BOUND, "no progress: " + served + " served");
        assertTrue(maxProposals.get() <= BOUND, "the peer held " + maxProposals.get() + " writes, bound " + BOUND);
        assertTrue(maxReads.get() <= BOUND, "the peer held " + maxReads.get() + " reads, bound " + BOUND);
        try (ReadView view = node.engines().kv().readView()) {
            for (int i = 0; i < FLOOD; i++) {
                byte[] v = view.get(Db.DEFAULT, bytes("f" + i).toByteArray());
                if (failures.containsKey(i)) {
                    assertNull(v, "f" + i + " was refused as busy but applied");
                } else {
                    assertEquals("v" + i, v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8),
                            "acknowledged f" + i);
                }
            }
        }
    }

    /** The most writes and reads the region's peer held at any sample, until {@code running} turns false. */
    private static void sample(AtomicInteger maxProposals, AtomicInteger maxReads, AtomicBoolean running) {
        while (running.get()) {
            try {
                for (PeerStatus s : node.status().toCompletableFuture().get(5, TimeUnit.SECONDS)) {
                    maxProposals.accumulateAndGet(s.pendingProposals(), Math::max);
                    maxReads.accumulateAndGet(s.pendingReads(), Math::max);
                }
                Thread.sleep(5);
            } catch (Exception e) {
                if (!running.get()) return;
            }
        }
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
