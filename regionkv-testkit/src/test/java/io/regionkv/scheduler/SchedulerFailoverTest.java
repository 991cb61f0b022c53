package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's failover: its node is killed while clients keep asking for ids and timestamps. The
 * singleton comes up on another store node, reads the marks its predecessor saved through raft, and
 * continues above them: no id is answered twice, and each client's timestamps keep strictly increasing.
 */
class SchedulerFailoverTest {

    private static final Duration ASK = Duration.ofSeconds(2);

    /** One client's answers, in the order it got them (each request waits for the previous answer). */
    private static final class Loader implements Runnable {
        final ActorRef<SchedulerCommand> scheduler;
        final AtomicBoolean stop;
        final AtomicInteger answered;
        final List<Long> ids = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();

        final ActorSystem<?> system;

        Loader(ActorSystem<?> system, ActorRef<SchedulerCommand> scheduler, AtomicBoolean stop, AtomicInteger answered) {
            this.system = system;
            this.scheduler = scheduler;
            this.stop = stop;
            this.answered = answered;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                try {
                    SchedulerReply.IdsReply ids = AskPattern.<SchedulerCommand, SchedulerReply.IdsReply>ask(scheduler,
                            r -> new SchedulerCommand.AllocIds(3, r), ASK, system.scheduler())
                            .toCompletableFuture().get(5, TimeUnit.SECONDS);
                    if (ids instanceof SchedulerReply.Ids got) {
                        for (int i = 0; i < got.count(); i++) this.ids.add(got.first() + i);
                    }
                    SchedulerReply.TsoReply ts = AskPattern.<SchedulerCommand, SchedulerReply.TsoReply>ask(scheduler,
                            r -> new SchedulerCommand.GetTimestamp(1, r), ASK, system.scheduler())
                            .toCompletableFuture().get(5, TimeUnit.SECONDS);
                    if (ts instanceof SchedulerReply.Timestamp t) {
                        timestamps.add(t.compose());
                        answered.incrementAndGet();
                    }
                } catch (Exception e) {
                    // No answer while the singleton moves: ask again.
                }
            }
        }
    }

    @Test
    void idsStayUniqueAndTimestampsIncreaseWhenTheHostingNodeDies() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("scheduler-failover").withNodes(3)
                .withConfig("regionkv.scheduler.tso-save-window = 1s"))) {
            ActorRef<SchedulerCommand> scheduler = cluster.scheduler();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger answered = new AtomicInteger();
            List<Loader> loaders = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Loader l = new Loader(cluster.clientSystem(), scheduler, stop, answered);
                loaders.add(l);
                Thread t = new Thread(l, "scheduler-loader-" + i);
                threads.add(t);
                t.start();
            }
            try {
                awaitAnswers(answered, 200, Duration.ofSeconds(60));
                long host = cluster.schedulerHost();
                int before = answered.get();
                long t0 = System.nanoTime();
                cluster.stopNode(host);
                awaitAnswers(answered, before + 200, Duration.ofSeconds(90));
                long newHost = cluster.schedulerHost();
                System.out.println("scheduler moved from store " + host + " to store " + newHost + "; 200 answers"
                        + " after the kill took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                assertTrue(newHost != host);
            } finally {
                stop.set(true);
                for (Thread t : threads) t.join(10_000);
            }
            Set<Long> seen = new HashSet<>();
            int total = 0;
            for (Loader l : loaders) {
                for (long id : l.ids) {
                    assertTrue(seen.add(id), "id " + id + " answered twice");
                    assertTrue(id >= SchedulerSettings.MIN_ID, "id " + id + " below the floor");
                }
                total += l.ids.size();
                for (int i = 1; i < l.timestamps.size(); i++) {
                    assertTrue(l.timestamps.get(i) > l.timestamps.get(i - 1), "timestamp went back at " + i);
                }
            }
            List<Long> all = new ArrayList<>();
            for (Loader l : loaders) all.addAll(l.timestamps);
            assertEquals(all.size(), new HashSet<>(all).size(), "a timestamp answered twice");
            assertTrue(total >= 3 * 400, "ids answered: " + total);
        }
    }

    private static void awaitAnswers(AtomicInteger answered, int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + answered.get() + " timestamps answered, waited for " + atLeast);
            }
            Thread.sleep(20);
        }
    }
}
