package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.testkit.CheckResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {

    /** Each reading of the clock is 10 later than the previous one. */
    private final AtomicLong ticks = new AtomicLong();
    private final HistoryRecorder recorder = new HistoryRecorder(() -> ticks.addAndGet(10));

    @Test
    void completedOperationsCarryTheirTimesAndOutputs() {
        HistoryRecorder.Handle put = recorder.invokePut(1, "x", "v");
        HistoryRecorder.Handle get = recorder.invokeGet(2, "x");
        put.ok();
        get.ok("v");
        HistoryRecorder.Handle absent = recorder.invokeGet(2, "y");
        absent.ok((String) null);
        HistoryRecorder.Handle delete = recorder.invokeDelete(1, "x");
        delete.ok();
        assertEquals(List.of(
                Operation.put(1, "x", "v", 10, 30),
                Operation.get(2, "x", "v", 20, 40),
                Operation.get(2, "y", null, 50, 60),
                Operation.delete(1, "x", 70, 80)), recorder.history());
    }

    @Test
    void definiteFailureIsDroppedAndEverythingIndeterminateIsPending() {
        recorder.invokePut(1, "x", "dropped").fail(true);
        recorder.invokePut(1, "x", "maybe").fail(false);
        recorder.invokeDelete(2, "x").unknown();
        recorder.invokePut(3, "x", "in-flight");
        assertEquals(List.of(
                Operation.pendingPut(1, "x", "maybe", 30),
                Operation.pendingDelete(2, "x", 50),
                Operation.pendingPut(3, "x", "in-flight", 70)), recorder.history());
    }

    @Test
    void anOpenOperationThatCompletesLaterShowsUpCompleted() {
        HistoryRecorder.Handle put = recorder.invokePut(1, "x", "v");
        assertTrue(recorder.history().get(0).pending());
        put.ok();
        assertEquals(Operation.put(1, "x", "v", 10, 20), recorder.history().get(0));
    }

    @Test
    void completingTwiceOrWithTheWrongShapeIsRefused() {
        HistoryRecorder.Handle put = recorder.invokePut(1, "x", "v");
        put.ok();
        assertThrows(IllegalStateException.class, put::unknown);
        assertThrows(IllegalStateException.class, () -> put.fail(true));
        assertEquals(List.of(Operation.put(1, "x", "v", 10, 20)), recorder.history());

        HistoryRecorder.Handle get = recorder.invokeGet(1, "x");
        assertThrows(IllegalStateException.class, get::ok);
        HistoryRecorder.Handle delete = recorder.invokeDelete(1, "x");
        assertThrows(IllegalStateException.class, () -> delete.ok("v"));
        assertThrows(NullPointerException.class, () -> recorder.invokePut(1, "x", (String) null));
        assertThrows(NullPointerException.class, () -> recorder.invokeGet(1, (String) null));
    }

    @Test
    void bytesAreRecordedAsLosslessText() {
        byte[] key = {(byte) 0xff, 0, 'k'};
        recorder.invokePut(1, key, new byte[] {(byte) 0x80}).ok();
        HistoryRecorder.Handle get = recorder.invokeGet(1, key);
        get.ok(new byte[] {(byte) 0x80});
        List<Operation> history = recorder.history();
        assertEquals("\u00ff\u0000k", history.get(0).key());
        assertEquals(history.get(0).input(), history.get(1).output());
        assertEquals(Outcome.OK, new LinearizabilityChecker().check(history).outcome());
    }

    @Test
    void scanBecomesPerKeyReadsAndAFailedScanNothing() {
        recorder.invokePut(1, "a", "1").ok();
        HistoryRecorder.ScanHandle scan = recorder.invokeScan(2, List.of("a", "b"));
        scan.ok(Map.of("a", "1"));
        recorder.invokeScan(2, List.of("a")).fail();
        recorder.invokeScan(2, List.of("b"));
        assertEquals(List.of(
                Operation.put(1, "a", "1", 10, 20),
                Operation.get(2, "a", "1", 30, 40),
                Operation.get(2, "b", null, 30, 40)), recorder.history());
        assertThrows(IllegalStateException.class, scan::fail);
    }

    /**
     * Threads hammer a ConcurrentHashMap, which is linearizable per key, and record what they see with the real
     * clock; the history must check OK.
     */
    @Test
    void concurrentClientsOfALinearizableMapProduceALinearizableHistory() throws Exception {
        HistoryRecorder real = new HistoryRecorder();
        ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
        long seed = Seeds.seed("concurrentClientsOfALinearizableMapProduceALinearizableHistory");
        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int client = t;
                SplittableRandom random = new SplittableRandom(seed + t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String key = "k" + random.nextInt(8);
                        switch (random.nextInt(4)) {
                            case 0, 1 -> {
                                HistoryRecorder.Handle h = real.invokeGet(client, key);
                                h.ok(map.get(key));
                            }
                            case 2 -> {
                                String value = client + ":" + i;
                                HistoryRecorder.Handle h = real.invokePut(client, key, value);
                                map.put(key, value);
                                h.ok();
                            }
                            default -> {
                                HistoryRecorder.Handle h = real.invokeDelete(client, key);
                                map.remove(key);
                                h.ok();
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Operation> history = real.history();
        assertEquals(threads * perThread, history.size());
        CheckResult result = new LinearizabilityChecker().check(history);
        assertEquals(Outcome.OK, result.outcome(), result::toString);
    }
}
