package io.regionkv.example.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.regionkv.example.inventory.StockKeeper.Done;
import io.regionkv.example.inventory.StockKeeper.Failed;
import io.regionkv.example.inventory.StockKeeper.Reply;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * Three nodes of the inventory service in one JVM, with shoppers reserving and a supplier restocking on
 * all of them while the testkit partitions the raft network (both ways, then one way) and crashes and
 * restarts nodes. Afterwards the stock must account for every unit: nothing acknowledged is lost, nothing
 * is sold twice, and available never goes below zero.
 */
class InventoryClusterTest {

    private static final String ITEM = "widget";
    private static final long INITIAL = 50;

    /** Units per outcome; an unknown outcome may or may not have been applied. */
    private static final class Tally {
        final AtomicLong done = new AtomicLong();
        final AtomicLong unknown = new AtomicLong();
    }

    @Test
    void everyUnitIsAccountedForThroughPartitionsAndCrashes() throws Exception {
        TestCluster.Options options = TestCluster.Options.of("InventoryClusterTest").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(5))
                .withGuardian(store -> InventoryApp.create())
                .withNodeConfig(store -> ConfigFactory.parseString("""
                        pekko.cluster.roles = ["inventory"]
                        regionkv.client.request-timeout = 3s
                        inventory.settle-after-unknown-write = 4s
                        """));
        try (TestCluster cluster = TestCluster.start(options)) {
            Tally reserved = new Tally();
            Tally restocked = new Tally();
            assertEquals(Done.class, ask(cluster, 1, new Restock(INITIAL)).getClass(), "initial stock");

            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int shopper = i;
                Thread t = new Thread(() -> {
                    for (long round = 0; !stop.get(); round++) {
                        long node = 1 + (shopper + round) % 3; // every node in turn
                        boolean supplier = shopper == 0;
                        long quantity = supplier ? 3 : 1;
                        Reply reply = ask(cluster, node, supplier ? new Restock(quantity) : new Reserve(quantity));
                        Tally tally = supplier ? restocked : reserved;
                        if (reply instanceof Done) tally.done.addAndGet(quantity);
                        if (reply instanceof Failed f && f.mayHaveHappened()) tally.unknown.addAndGet(quantity);
                    }
                }, "shopper-" + i);
                t.start();
                clients.add(t);
            }

            Thread.sleep(3_000);
            cluster.faults().isolate(2);                 // store 2 cut off, both ways
            Thread.sleep(3_000);
            cluster.faults().heal();
            cluster.faults().cutOneWay(List.of(1L), List.of(2L, 3L)); // store 1 sends into the void
            Thread.sleep(3_000);
            cluster.faults().heal();
            cluster.crash(3);
            Thread.sleep(2_000);
            cluster.restart(3);
            cluster.crash(1);                            // now one of the two oldest: it may host the keeper
            Thread.sleep(2_000);
            cluster.restart(1);
            Thread.sleep(3_000);

            stop.set(true);
            for (Thread t : clients) t.join(60_000);
            cluster.awaitQuiet(Duration.ofSeconds(60));

            Stock stock = readStock(cluster);
            System.out.println("InventoryClusterTest: " + stock + "; reserved " + reserved.done + " acknowledged + "
                    + reserved.unknown + " unknown; restocked " + INITIAL + " + " + restocked.done
                    + " acknowledged + " + restocked.unknown + " unknown");
            assertTrue(reserved.done.get() > 0 && restocked.done.get() > 0, "the shoppers got work done");
            assertTrue(stock.available() >= 0, "available went below zero: " + stock);
            assertBetween("units reserved", reserved.done.get(), stock.reserved(), reserved.unknown.get());
            assertBetween("units ever stocked", INITIAL + restocked.done.get(), stock.available() + stock.reserved(),
                    restocked.unknown.get());
        }
    }

    /** {@code acknowledged <= actual <= acknowledged + unknown}: none lost, none invented. */
    private static void assertBetween(String what, long acknowledged, long actual, long unknown) {
        assertTrue(actual >= acknowledged, what + ": " + actual + " in the store, but " + acknowledged
                + " were acknowledged (an update was lost)");
        assertTrue(actual <= acknowledged + unknown, what + ": " + actual + " in the store, more than the "
                + acknowledged + " acknowledged and " + unknown + " unknown together");
    }

    private record Reserve(long quantity) {}

    private record Restock(long quantity) {}

    /** Sends a command to the keeper through {@code node} (another one if that is down); Failed on no answer. */
    private static Reply ask(TestCluster cluster, long node, Object what) {
        long target = node;
        for (long n = node; !cluster.isRunning(target) && n < node + 3; n++) target = 1 + n % 3;
        try {
            var system = cluster.system(target);
            return AskPattern.<StockKeeper.Command, Reply>ask(InventoryApp.keeper(system), replyTo ->
                            what instanceof Reserve r ? new StockKeeper.Reserve(ITEM, r.quantity(), replyTo)
                                    : new StockKeeper.Restock(ITEM, ((Restock) what).quantity(), replyTo),
                            Duration.ofSeconds(10), system.scheduler())
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            // No answer (the node crashed, the keeper moved): the command may or may not have been applied.
            return new Failed("no answer: " + e, true);
        }
    }

    /** The item's stock as RegionKV holds it, read through a client on the test's own node. */
    private static Stock readStock(TestCluster cluster) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                Optional<com.google.protobuf.ByteString> value = cluster.schedulerClient(99).get(Stock.key(ITEM))
                        .toCompletableFuture().get(15, TimeUnit.SECONDS);
                return Stock.decode(value);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == 5) throw e;
            }
        }
    }
}
