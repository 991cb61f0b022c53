package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Items from many threads through one batcher on a real pool: nothing lost, each sender's order kept. */
class BurstBatcherTest {

    private record Item(int sender, int seq) {}

    @Test
    void concurrentSendersKeepTheirOrderAndLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<List<Item>> batches = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger emitted = new AtomicInteger();
        BurstBatcher<Item> batcher = new BurstBatcher<>(pool, 1_000, 50, i -> 10, b -> {
            batches.add(List.copyOf(b));
            emitted.addAndGet(b.size());
        });
        int senders = 4;
        int perSender = 50_000;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perSender; i++) batcher.add(new Item(sender, i));
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (emitted.get() < senders * perSender && System.nanoTime() < deadline) Thread.sleep(10);
        pool.shutdown();
        assertEquals(senders * perSender, emitted.get(), "every item emitted once");
        int[] next = new int[senders];
        synchronized (batches) {
            for (List<Item> b : batches) {
                assertTrue(b.size() <= 50, "a batch over the item bound: " + b.size());
                for (Item i : b) {
                    assertEquals(next[i.sender()], i.seq(), "sender " + i.sender() + " reordered");
                    next[i.sender()]++;
                }
            }
        }
    }

    @Test
    void whatIsAddedBeforeTheFlushRunsLeavesInOneBatchInOrder() {
        List<Runnable> hops = new ArrayList<>();
        List<List<Integer>> batches = new ArrayList<>();
        BurstBatcher<Integer> batcher = new BurstBatcher<>(hops::add, 1_000, 50, i -> 10, b -> batches.add(List.copyOf(b)));
        for (int i = 1; i <= 5; i++) batcher.add(i);
        assertEquals(List.of(), batches, "nothing leaves before the flush runs");
        assertEquals(1, hops.size(), "one flush for the whole burst");
        hops.remove(0).run();
        assertEquals(List.of(List.of(1, 2, 3, 4, 5)), batches);
    }
}
