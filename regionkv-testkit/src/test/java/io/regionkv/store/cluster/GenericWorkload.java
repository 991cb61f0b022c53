package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.regionkv.client.KvPair;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TinyKV's {@code GenericTest} for RegionKV: C clients, several rounds. In a round each client keeps
 * choosing at random between putting its next fresh key {@code "<client> <seq>"} and scanning every key it
 * has written, which must read back exactly the values it wrote, in order. The chaos of the case runs
 * alongside: a 10% drop of raft messages (and, beyond TinyKV, duplicated and reordered ones), a new two-way partition every one to three election timeouts
 * (every second one stranding the leader in a minority).
 * After the round the network heals, every store may be stopped and started again, and each client's
 * whole key range must hold every acknowledged write once and in order. Beyond TinyKV, a client now and
 * then reads a key another client is writing, and every operation is recorded; the history is checked
 * for linearizability at the end.
 */
final class GenericWorkload {

    /**
     * What goes wrong during a round (TinyKV's unreliable, crash, partitions and confchange flags). With
     * {@code confChanges} a conf changer removes and adds replicas of the region all round long, through
     * the admin calls (learner first, one change at a time), keeping between 3 and all stores' replicas.
     */
    record Chaos(boolean unreliable, boolean crash, boolean partitions, boolean confChanges) {
        static final Chaos NONE = new Chaos(false, false, false, false);

        Chaos(boolean unreliable, boolean crash, boolean partitions) {
            this(unreliable, crash, partitions, false);
        }
    }

    /** Rounds and their length: fewer and shorter than TinyKV's 3 x 5 s, to fit the machine's budget. */
    record Shape(int rounds, Duration roundLength) {
        static final Shape DEFAULT = new Shape(3, Duration.ofMillis(2500));
    }

    /** How long a client may keep retrying one put, or the final scan, before the test fails. */
    private static final Duration MUST_WITHIN = Duration.ofSeconds(45);

    private final TestCluster cluster;
    private final Chaos chaos;
    private final Shape shape;
    private final List<ClientState> clients = new ArrayList<>();
    /** Partitions the partitioner made so far (written by it, read after it has been joined). */
    private volatile int partitionsMade;
    /** Membership changes the conf changer completed (written by it, read after it has been joined). */
    private volatile int confChangesMade;

    private GenericWorkload(TestCluster cluster, int clientCount, Chaos chaos, Shape shape) {
        this.cluster = cluster;
        this.chaos = chaos;
        this.shape = shape;
        for (int c = 0; c < clientCount; c++) {
            clients.add(new ClientState(cluster.client(c), cluster.random(c)));
        }
    }

    /** Starts a cluster for {@code testName}, runs the workload on it, checks linearizability, stops it. */
    static void run(String testName, int clientCount, Chaos chaos) {
        run(TestCluster.Options.of(testName), clientCount, chaos, Shape.DEFAULT);
    }

    static void run(TestCluster.Options options, int clientCount, Chaos chaos, Shape shape) {
        long started = System.nanoTime();
        try (TestCluster cluster = TestCluster.start(options)) {
            System.out.println(options.testName() + ": cluster up in " + millisSince(started) + " ms");
            new GenericWorkload(cluster, clientCount, chaos, shape).rounds();
            cluster.assertLinearizable();
        }
        System.out.println(options.testName() + ": done in " + millisSince(started) + " ms");
    }

    private void rounds() {
        String name = cluster.options().testName();
        for (int round = 0; round < shape.rounds(); round++) {
            long roundStart = System.nanoTime();
            runRound(round);
            if (chaos.crash()) {
                long t = System.nanoTime();
                cluster.restartAll();
                cluster.awaitLeader(RegionKvNode.FIRST_REGION_ID, Duration.ofSeconds(30));
                System.out.println(name + ": round " + round + ": restarted every store and a leader is elected in "
                        + millisSince(t) + " ms");
            }
            for (ClientState c : clients) c.checkEverything();
            StringBuilder sb = new StringBuilder();
            for (ClientState c : clients) {
                sb.append(" c").append(c.client.id()).append(": ").append(c.next).append(" puts (")
                        .append(c.unknownPuts).append(" unknown, ").append(c.failedPuts).append(" refused), ")
                        .append(c.scans).append(" scans, ").append(c.crossReads).append(" reads of others;");
            }
            String term = cluster.leader(RegionKvNode.FIRST_REGION_ID).map(p -> "leader term " + p.term() + ";")
                    .orElse("no leader now;") + (chaos.partitions() ? " " + partitionsMade + " partitions so far;" : "")
                    + (chaos.confChanges() ? " " + confChangesMade + " conf changes so far;" : "");
            System.out.println(name + ": round " + round + " took " + millisSince(roundStart) + " ms; " + term + sb);
        }
    }

    private void runRound(int round) {
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (ClientState c : clients) {
            threads.add(start("client-" + c.client.id(), () -> {
                while (!done.get() && failures.isEmpty()) c.step();
            }, failures));
        }
        if (chaos.unreliable()) unreliableNetwork();
        CountDownLatch stopChaos = new CountDownLatch(1);
        Thread partitioner = chaos.partitions()
                ? start("partitioner", () -> partitioner(round, stopChaos), failures) : null;
        Thread confChanger = chaos.confChanges()
                ? start("conf-changer", () -> confChanger(round, stopChaos), failures) : null;
        pause(shape.roundLength());
        done.set(true);
        stopChaos.countDown();
        if (partitioner != null) join(partitioner, Duration.ofSeconds(10));
        if (confChanger != null) join(confChanger, MUST_WITHIN);
        // Heal: a client stuck behind a minority leader gets its answer once that leader hears the new term.
        cluster.faults().heal();
        for (Thread t : threads) join(t, MUST_WITHIN.plusSeconds(30));
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(cluster.options().testName() + " (seed " + cluster.seed()
                    + "): " + failures.size() + " client failure(s); first: " + failures.peek(), failures.peek());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /**
     * TinyKV's unreliable network and more: 10% of raft messages dropped, 5% delivered twice, and every
     * message delayed by a random 0 to 20 ms, so that messages overtake each other (a follower sees an
     * old append after a newer one, a stale vote answer arrives late).
     */
    private void unreliableNetwork() {
        cluster.faults().dropPercent(10);
        cluster.faults().duplicatePercent(5);
        cluster.faults().maxDelayMillis(20);
    }

    /**
     * TinyKV's partitioner: a random two-way split of the stores, a new one every election timeout or two.
     * Every second split strands the current leader in a minority of one or two, so that every run sees
     * leaders deposed mid-request, not only the runs whose random splits happen to hit the leader.
     */
    private void partitioner(int round, CountDownLatch stop) throws InterruptedException {
        Random random = cluster.random(-1 - round);
        // Let the clients run without interruption for a moment first.
        if (stop.await(300, TimeUnit.MILLISECONDS)) return;
        for (int made = 0; ; made++) {
            List<Long> a = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            Optional<Long> leader = made % 2 == 1
                    ? cluster.leader(RegionKvNode.FIRST_REGION_ID).map(PeerStatus::storeId) : Optional.empty();
            if (leader.isPresent()) {
                List<Long> others = new ArrayList<>(cluster.storeIds());
                others.remove(leader.get());
                Collections.shuffle(others, random);
                a.add(leader.get());
                int companions = random.nextInt(Math.max(1, (cluster.storeIds().size() - 1) / 2));
                a.addAll(others.subList(0, companions));
                b.addAll(others.subList(companions, others.size()));
            } else {
                for (long id : cluster.storeIds()) (random.nextBoolean() ? a : b).add(id);
            }
            cluster.faults().heal();
            cluster.faults().partition(List.of(a, b));
            if (chaos.unreliable()) unreliableNetwork();
            System.out.println(cluster.options().testName() + ": partition " + a + " | " + b
                    + leader.map(l -> " (leader " + l + " stranded)").orElse(""));
            // TinyKV holds each partition for an election timeout + up to 200 ms. RegionKV runs raft with
            // PreVote and CheckQuorum, whose follower lease makes a majority wait a full election timeout
            // before it can elect anyone: so short a partition rarely moves the leader. One to three
            // election timeouts let the majority elect a new leader most of the time.
            long et = cluster.electionTimeout().toMillis();
            long wait = et + random.nextInt((int) (2 * et) + 200);
            if (stop.await(wait, TimeUnit.MILLISECONDS)) {
                partitionsMade += made + 1;
                return;
            }
        }
    }

    /**
     * TinyKV's conf changer: every few hundred ms, remove a random store's replica of the region (while it
     * has more than 3) or add one on a store without one. Refusals (a change still pending) and timeouts
     * are part of the chaos; the clients must not notice beyond retries.
     */
    private void confChanger(int round, CountDownLatch stop) throws InterruptedException {
        Random random = cluster.random(-100 - round);
        io.regionkv.client.RegionKvClient admin = cluster.schedulerClient(900 + round);
        long r = RegionKvNode.FIRST_REGION_ID;
        while (!stop.await(200 + random.nextInt(300), TimeUnit.MILLISECONDS)) {
            Optional<PeerStatus> leader = cluster.leader(r);
            if (leader.isEmpty()) continue;
            long store = cluster.storeIds().get(random.nextInt(cluster.storeIds().size()));
            boolean holds = leader.get().region().getPeersList().stream().anyMatch(p -> p.getStoreId() == store);
            var call = holds ? (leader.get().region().getPeersCount() > 3 ? admin.removePeer(r, store) : null)
                    : admin.addPeer(r, store);
            if (call == null) continue;
            try {
                call.toCompletableFuture().get(30, TimeUnit.SECONDS);
                confChangesMade++;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // Refused or not answered in time: the next turn tries something else.
                System.out.println(cluster.options().testName() + ": conf changer: " + (holds ? "remove" : "add")
                        + " on store " + store + " failed: " + (e.getCause() != null ? e.getCause() : e));
            }
        }
    }

    /** One client's keys and what it has written to them. */
    private final class ClientState {
        final RecordedClient client;
        final Random random;
        final List<String> keys = new ArrayList<>();
        final StringBuilder written = new StringBuilder();
        int next;
        /** Keys {@code [0, invoked)} have had a put invoked; read by other clients' threads. */
        volatile int invoked;
        int scans;
        int crossReads;
        int unknownPuts;
        int failedPuts;

        ClientState(RecordedClient client, Random random) {
            this.client = client;
            this.random = random;
        }

        String key(int seq) {
            return client.id() + " " + String.format("%08d", seq);
        }

        String value(int seq) {
            return "x " + client.id() + " " + seq + " y";
        }

        void step() {
            int dice = random.nextInt(100);
            if (dice < 10 && clients.size() > 1) {
                readAnotherClientsKey();
            } else if (dice < 55) {
                String key = key(next);
                String value = value(next);
                keys.add(key);
                invoked = next + 1;
                // Retried until acknowledged: each key gets one value only, so a retry cannot undo anything.
                long deadline = System.nanoTime() + MUST_WITHIN.toNanos();
                while (true) {
                    RecordedClient.Outcome o = client.put(key, value);
                    if (o == RecordedClient.Outcome.OK) break;
                    if (o == RecordedClient.Outcome.UNKNOWN) unknownPuts++; else failedPuts++;
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("client " + client.id() + ": put " + key
                                + " not acknowledged within " + MUST_WITHIN);
                    }
                }
                written.append(value);
                next++;
            } else {
                var pairs = client.scan(key(0), key(next), keys);
                if (pairs.isPresent()) {
                    scans++;
                    String got = concat(pairs.get());
                    if (!got.equals(written.toString())) {
                        throw new AssertionError("client " + client.id() + " scan [" + key(0) + ", " + key(next)
                                + ") read wrong values\n want: " + written + "\n got:  " + got);
                    }
                }
            }
        }

        /**
         * A read of a key another client has written or is writing right now. Nothing to compare with here;
         * this is what gives the linearizability check reads that race with other clients' writes.
         */
        void readAnotherClientsKey() {
            ClientState other = clients.get(random.nextInt(clients.size()));
            if (other == this) return;
            int count = other.invoked;
            if (count == 0) return;
            if (client.get(other.key(random.nextInt(count))).isPresent()) crossReads++;
        }

        /** After a round: the whole range of this client holds exactly what it wrote, in order. */
        void checkEverything() {
            String start = client.id() + " ";
            String end = client.id() + "!";
            List<KvPair> pairs = client.mustScan(start, end, keys, MUST_WITHIN);
            assertEquals(next, pairs.size(), "client " + client.id() + ": number of keys in its range");
            assertEquals(written.toString(), concat(pairs), "client " + client.id() + ": values in its range");
        }
    }

    private static String concat(List<KvPair> pairs) {
        StringBuilder sb = new StringBuilder();
        for (KvPair p : pairs) sb.append(RecordedClient.text(p.value()));
        return sb.toString();
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread start(String name, Body body, ConcurrentLinkedQueue<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t, Duration timeout) {
        try {
            t.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (t.isAlive()) throw new AssertionError(t.getName() + " did not finish within " + timeout);
    }

    /** The round's length: the clients and the partitioner work meanwhile; nothing is awaited. */
    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
