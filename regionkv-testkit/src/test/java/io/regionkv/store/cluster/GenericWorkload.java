package io.regionkv.store.cluster;

import io.regionkv.RegionKV;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
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
 * has written, which must read back exactly the values it wrote, in order; and, beyond TinyKV, between
 * overwriting, deleting, reading and scanning a small set of keys every client shares
 * ({@link WorkloadKeys}), which only the linearizability checker can judge. The chaos of the case runs
 * alongside: a 10% drop of raft messages (and, beyond TinyKV, duplicated and reordered ones), a new two-way partition every one to three election timeouts
 * (every second one stranding the leader in a minority).
 * After the round the network heals, every store may be stopped and started again, and each client's
 * whole key range must hold every acknowledged write once and in order, and the raft logs must be within
 * TinyKV's bound ({@link LogBound}). Beyond TinyKV, a client now and then reads a key another client is
 * writing, and every operation is recorded; the history is checked for linearizability at the end (an
 * undecided verdict fails too).
 *
 * <p>With {@code splits} a {@link Splitter} splits regions all round long and the clients route by the
 * scheduler's directory; with {@code confChanges} the conf changer moves replicas of random regions.
 * Every run prints its seed; {@code -Dregionkv.test.args="-Dregionkv.test.seed=N"} replays the random
 * choices (thread timing still varies).
 */
final class GenericWorkload {

    /**
     * What goes wrong during a round (TinyKV's unreliable, crash, partitions, confchange, split and
     * maxraftlog flags). With {@code confChanges} a conf changer removes and adds replicas of random
     * regions all round long, through the admin calls (learner first, one change at a time), keeping
     * between 3 and all stores' replicas. With {@code splits} a splitter splits regions at the shared
     * keys and inside the clients' ranges. With {@code snapshots} the raft-log GC count limit is
     * {@link #SMALL_LOG} entries, so logs are compacted all the time and lagging or new peers catch up by
     * snapshot.
     */
    record Chaos(boolean unreliable, boolean crash, boolean partitions, boolean confChanges, boolean splits,
            boolean snapshots) {
        static final Chaos NONE = new Chaos(false, false, false, false, false, false);

        /** TinyKV's GC limit for its snapshot cases is 100; smaller here, so that short rounds compact. */
        static final int SMALL_LOG = 30;

        Chaos(boolean unreliable, boolean crash, boolean partitions) {
            this(unreliable, crash, partitions, false, false, false);
        }

        Chaos(boolean unreliable, boolean crash, boolean partitions, boolean confChanges) {
            this(unreliable, crash, partitions, confChanges, false, false);
        }

        Chaos withUnreliable() {
            return new Chaos(true, crash, partitions, confChanges, splits, snapshots);
        }

        Chaos withCrash() {
            return new Chaos(unreliable, true, partitions, confChanges, splits, snapshots);
        }

        Chaos withPartitions() {
            return new Chaos(unreliable, crash, true, confChanges, splits, snapshots);
        }

        Chaos withConfChanges() {
            return new Chaos(unreliable, crash, partitions, true, splits, snapshots);
        }

        Chaos withSplits() {
            return new Chaos(unreliable, crash, partitions, confChanges, true, snapshots);
        }

        Chaos withSnapshots() {
            return new Chaos(unreliable, crash, partitions, confChanges, splits, true);
        }

        /** The store settings the chaos needs on top of {@code options}. */
        TestCluster.Options configure(TestCluster.Options options) {
            TestCluster.Options o = options;
            if (snapshots) {
                // GC checks every 2 ticks (100 ms), so the limit is what bounds the log, not the tick.
                o = o.withConfig("regionkv.raft.log-gc-count-limit = " + SMALL_LOG
                        + "\nregionkv.raft.log-gc-tick-interval = 2");
            }
            if (splits) {
                // The clients route by the directory: heartbeats often, so it learns new regions quickly.
                o = o.withConfig("regionkv.scheduler.region-heartbeat-interval = 300ms\n"
                        + "regionkv.scheduler.store-heartbeat-interval = 300ms");
            }
            return o;
        }
    }

    /**
     * Rounds and their length: fewer and shorter than TinyKV's 3 x 5 s, to fit the machine's budget;
     * {@link #soak()} gives the long form. {@code sharedKeys} is the size of the shared key set,
     * {@code maxSplits} caps the splits of a whole run.
     */
    record Shape(int rounds, Duration roundLength, int sharedKeys, int maxSplits) {
        static final Shape DEFAULT = new Shape(3, Duration.ofMillis(2500));
        /** The chaos variants with splits, conf changes or snapshots in the default suite: 3 x 2 s. */
        static final Shape SHORT = new Shape(3, Duration.ofMillis(2000));

        Shape(int rounds, Duration roundLength) {
            this(rounds, roundLength, 16, 8);
        }

        /**
         * TinyKV's length or longer, for the {@code soak} tag: {@code -Dregionkv.soak.rounds=N
         * -Dregionkv.soak.round-ms=M} (3 x 5 s by default), more splits.
         */
        static Shape soak() {
            return new Shape(Integer.getInteger("regionkv.soak.rounds", 3),
                    Duration.ofMillis(Long.getLong("regionkv.soak.round-ms", 5000)), 16, 20);
        }
    }

    /** How long a client may keep retrying one put, or the final scan, before the test fails. */
    private static final Duration MUST_WITHIN = Duration.ofSeconds(45);

    private final TestCluster cluster;
    private final Chaos chaos;
    private final Shape shape;
    private final List<ClientState> clients = new ArrayList<>();
    private final WorkloadKeys keySpace;
    private final LogBound bound;
    private final Splitter splitter;
    /** Partitions the partitioner made so far (written by it, read after it has been joined). */
    private volatile int partitionsMade;
    /** Membership changes the conf changer completed (written by it, read after it has been joined). */
    private volatile int confChangesMade;

    private GenericWorkload(TestCluster cluster, int clientCount, Chaos chaos, Shape shape) {
        this.cluster = cluster;
        this.chaos = chaos;
        this.shape = shape;
        this.keySpace = new WorkloadKeys(shape.sharedKeys());
        for (int c = 0; c < clientCount; c++) {
            clients.add(new ClientState(chaos.splits() ? cluster.directoryClient(c) : cluster.client(c),
                    cluster.random(c)));
        }
        this.bound = new LogBound(cluster, cluster.options().extra().withFallback(ConfigFactory.defaultReference())
                .getLong("regionkv.raft.log-gc-count-limit"));
        this.splitter = new Splitter(cluster, keySpace, this::writtenCounts, shape.maxSplits());
    }

    /** How many keys each client has put so far (read by the splitter while the clients write). */
    private int[] writtenCounts() {
        int[] out = new int[clients.size()];
        for (int i = 0; i < out.length; i++) out[i] = clients.get(i).invoked;
        return out;
    }

    /** Starts a cluster for {@code testName}, runs the workload on it, checks linearizability, stops it. */
    static void run(String testName, int clientCount, Chaos chaos) {
        run(TestCluster.Options.of(testName), clientCount, chaos, Shape.DEFAULT);
    }

    static void run(String testName, int clientCount, Chaos chaos, Shape shape) {
        run(TestCluster.Options.of(testName), clientCount, chaos, shape);
    }

    static void run(TestCluster.Options options, int clientCount, Chaos chaos, Shape shape) {
        long started = System.nanoTime();
        TestCluster.Options configured = chaos.configure(options);
        try (TestCluster cluster = TestCluster.start(configured)) {
            System.out.println(options.testName() + ": cluster up in " + millisSince(started) + " ms; " + chaos
                    + ", " + shape);
            GenericWorkload w = new GenericWorkload(cluster, clientCount, chaos, shape);
            w.rounds();
            cluster.assertLinearizable();
            if (chaos.splits() && w.regionCount() < 2) {
                throw new AssertionError(options.testName() + " (seed " + cluster.seed()
                        + "): a run with splits ended with " + w.regionCount() + " region(s)");
            }
            if (chaos.snapshots() && !chaos.splits() && w.bound.maxTruncated() <= Chaos.SMALL_LOG) {
                // With the small limit and hundreds of writes to one region, GC must have compacted: else
                // the bound above was checked on logs nobody tried to keep short, and proves nothing. With
                // splits the writes spread over many regions, and on a loaded machine a short run may
                // leave each under the limit (the bound's figures are printed after every round).
                throw new AssertionError(options.testName() + " (seed " + cluster.seed()
                        + "): raft-log GC never truncated past index " + w.bound.maxTruncated());
            }
        }
        System.out.println(options.testName() + ": done in " + millisSince(started) + " ms");
    }

    private void rounds() {
        String name = cluster.options().testName();
        if (chaos.splits()) splitter.presplit(clients.size());
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
            bound.await(round == shape.rounds() - 1 ? "after the run" : "after round " + round);
            StringBuilder sb = new StringBuilder();
            for (ClientState c : clients) {
                sb.append(" c").append(c.client.id()).append(": ").append(c.next).append(" puts (")
                        .append(c.unknownPuts).append(" unknown, ").append(c.failedPuts).append(" refused), ")
                        .append(c.scans).append(" scans, ").append(c.crossReads).append(" reads of others, ")
                        .append(c.sharedWrites).append(" shared writes (").append(c.sharedUnknown)
                        .append(" unknown), ").append(c.sharedReads).append(" shared reads;");
            }
            String term = cluster.leader(RegionKvNode.FIRST_REGION_ID).map(p -> "leader term " + p.term() + ";")
                    .orElse("no leader now;") + (chaos.partitions() ? " " + partitionsMade + " partitions so far;" : "")
                    + (chaos.confChanges() ? " " + confChangesMade + " conf changes so far;" : "")
                    + (chaos.splits() ? " " + splitter.made() + " splits so far, " + regionCount() + " regions;" : "");
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
        Thread splitting = chaos.splits()
                ? start("splitter", () -> splitter.run(round, stopChaos), failures) : null;
        pause(shape.roundLength());
        done.set(true);
        stopChaos.countDown();
        if (partitioner != null) join(partitioner, Duration.ofSeconds(10));
        if (confChanger != null) join(confChanger, MUST_WITHIN);
        if (splitting != null) join(splitting, MUST_WITHIN);
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
     * TinyKV's conf changer: every few hundred ms, pick a random region (the first one, or any of them once
     * the splitter has made more) and remove a random store's replica of it (while it has more than 3) or
     * add one on a store without one. Refusals (a change still pending) and timeouts are part of the chaos;
     * the clients must not notice beyond retries.
     */
    private void confChanger(int round, CountDownLatch stop) throws InterruptedException {
        Random random = cluster.random(-100 - round);
        io.regionkv.client.RegionKvClient admin = cluster.schedulerClient(900 + round);
        while (!stop.await(200 + random.nextInt(300), TimeUnit.MILLISECONDS)) {
            List<PeerStatus> leaders = leaders();
            if (leaders.isEmpty()) continue;
            Optional<PeerStatus> leader = Optional.of(leaders.get(random.nextInt(leaders.size())));
            long r = leader.get().region().getId();
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

    /** For each region some running store leads, the leader of the highest term. */
    private List<PeerStatus> leaders() {
        java.util.Map<Long, PeerStatus> byRegion = new java.util.TreeMap<>();
        for (List<PeerStatus> peers : cluster.allStatuses(Duration.ofSeconds(5)).values()) {
            for (PeerStatus p : peers) {
                if (p.role() != io.regionkv.raft.StateType.LEADER) continue;
                byRegion.merge(p.region().getId(), p, (a, b) -> a.term() >= b.term() ? a : b);
            }
        }
        return new ArrayList<>(byRegion.values());
    }

    /** Regions any running store holds a peer of. */
    private long regionCount() {
        return cluster.allStatuses(Duration.ofSeconds(5)).values().stream().flatMap(List::stream)
                .mapToLong(p -> p.region().getId()).distinct().count();
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
        int sharedWrites;
        int sharedUnknown;
        int sharedReads;
        /** Writes to the shared keys so far: makes every value this client writes there unique. */
        int sharedSeq;

        ClientState(RecordedClient client, Random random) {
            this.client = client;
            this.random = random;
        }

        String key(int seq) {
            return WorkloadKeys.clientKey(client.id(), seq);
        }

        String value(int seq) {
            return "x " + client.id() + " " + seq + " y";
        }

        void step() {
            int dice = random.nextInt(100);
            if (dice < 10 && clients.size() > 1) {
                readAnotherClientsKey();
            } else if (dice >= 55) {
                sharedStep(dice);
            } else if (dice < 40) {
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
         * An operation on the shared keys: overwrite with a value nobody else writes, delete, read one, or
         * scan them all (across region boundaries once the splitter has cut the shared range). Nothing to
         * compare with here: the linearizability checker judges these. A write whose outcome is unknown is
         * not retried: it stays pending in the history, and the next write to the key overwrites it anyway.
         */
        void sharedStep(int dice) {
            if (dice < 72) {
                String key = keySpace.randomShared(random);
                countShared(client.put(key, WorkloadKeys.sharedValue(client.id(), sharedSeq++)));
            } else if (dice < 80) {
                countShared(client.delete(keySpace.randomShared(random)));
            } else if (dice < 92) {
                if (client.get(keySpace.randomShared(random)).isPresent()) sharedReads++;
            } else if (client.scan(WorkloadKeys.SHARED_START, WorkloadKeys.SHARED_END, keySpace.shared()).isPresent()) {
                sharedReads++;
            }
        }

        private void countShared(RecordedClient.Outcome o) {
            if (o == RecordedClient.Outcome.OK) sharedWrites++;
            if (o == RecordedClient.Outcome.UNKNOWN) sharedUnknown++;
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
            String start = WorkloadKeys.clientRangeStart(client.id());
            String end = WorkloadKeys.clientRangeEnd(client.id());
            List<KvPair> pairs = client.mustScan(start, end, keys, MUST_WITHIN);
            assertEquals(next, pairs.size(), "client " + client.id() + ": number of keys in its range");
            assertEquals(written.toString(), concat(pairs), "client " + client.id() + ": values in its range");
            // And one read of every shared key after the heal, for the checker.
            client.mustScan(WorkloadKeys.SHARED_START, WorkloadKeys.SHARED_END, keySpace.shared(),
                    MUST_WITHIN);
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
