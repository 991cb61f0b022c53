package io.regionkv.nemesis;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.regionkv.api.RegionKvMethods;
import io.regionkv.engine.Keys;
import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Regionkvpb.KvPair;
import io.regionkv.proto.Regionkvpb.RawDeleteRequest;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawGetResponse;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.testkit.HistoryRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The clients of the nemesis, each a thread calling one node and moving to the next live one after a
 * failure: register clients overwrite, delete and read a few shared keys (recorded for the
 * linearizability checker), appenders add unique elements to a few lists ({@code l/<phase>/<list>/<client>/<seq>},
 * a put of a fresh key, since a read-modify-write append is not atomic without CAS), and a reader scans
 * the lists and checks that every append acknowledged before the scan is there.
 */
final class Workload {

    static final int REGISTER_KEYS = 4;
    static final int LISTS = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final Nodes nodes;
    private final AtomicReference<Phase> current;
    /** Store s at s - 1: whether clients may call it (the nemesis clears it while the node is down). */
    private final AtomicReferenceArray<Boolean> usable;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Workload(Nodes nodes, Phase first) {
        this.nodes = nodes;
        this.current = new AtomicReference<>(first);
        this.usable = new AtomicReferenceArray<>(nodes.count());
        for (int i = 0; i < nodes.count(); i++) usable.set(i, true);
    }

    void phase(Phase next) {
        current.set(next);
    }

    /** Whether clients may send to {@code store}; an operation already sent to it still ends on its own. */
    void usable(int store, boolean yes) {
        usable.set(store - 1, yes);
    }

    void start(int registerClients, int appenders, long seed) {
        int id = 0;
        for (int c = 0; c < registerClients; c++, id++) {
            int client = id;
            Random random = new Random(seed * 31 + client);
            threads.add(thread("nemesis-register-" + client, () -> registerLoop(client, random)));
        }
        for (int c = 0; c < appenders; c++, id++) {
            int client = id;
            threads.add(thread("nemesis-append-" + client, () -> appendLoop(client)));
        }
        int reader = id;
        threads.add(thread("nemesis-list-reader", () -> readLoop(reader)));
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) t.join(60_000);
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The next store after {@code store} that clients may call (or {@code store} itself when none is). */
    private int next(int store) {
        for (int i = 1; i <= nodes.count(); i++) {
            int s = (store - 1 + i) % nodes.count() + 1;
            if (usable.get(s - 1)) return s;
        }
        return store;
    }

    private int initial(int client) {
        return next(client % nodes.count());
    }

    private ManagedChannel channelOrWait(int store) {
        ManagedChannel c = nodes.channel(store);
        if (c == null || !usable.get(store - 1)) pause(100);
        return c;
    }

    private void registerLoop(int client, Random random) {
        int store = initial(client);
        int seq = 0;
        while (running.get()) {
            Phase p = current.get();
            ManagedChannel channel = channelOrWait(store);
            if (channel == null || !usable.get(store - 1)) {
                store = next(store);
                continue;
            }
            String key = p.registerKey(random.nextInt(REGISTER_KEYS));
            int dice = random.nextInt(10);
            p.operations.incrementAndGet();
            boolean failed;
            if (dice < 4) {
                String value = "c" + client + "-" + seq++;
                failed = write(p, p.history.invokePut(client, key, value), () -> Nodes.call(channel, RegionKvMethods.RAW_PUT,
                        RawPutRequest.newBuilder().setKey(Nodes.b(key)).setValue(Nodes.b(value)).build(), DEADLINE));
            } else if (dice < 6) {
                failed = write(p, p.history.invokeDelete(client, key), () -> Nodes.call(channel, RegionKvMethods.RAW_DELETE,
                        RawDeleteRequest.newBuilder().setKey(Nodes.b(key)).build(), DEADLINE));
            } else {
                HistoryRecorder.Handle h = p.history.invokeGet(client, key);
                try {
                    RawGetResponse r = Nodes.call(channel, RegionKvMethods.RAW_GET,
                            RawGetRequest.newBuilder().setKey(Nodes.b(key)).build(), DEADLINE);
                    h.ok(r.getNotFound() ? null : r.getValue().toStringUtf8());
                    p.acknowledged.incrementAndGet();
                    failed = false;
                } catch (StatusRuntimeException e) {
                    h.fail(true); // a read changes nothing
                    failed = true;
                }
            }
            if (failed) store = next(store);
        }
    }

    /** Runs a write and records its outcome; whether it failed. */
    private static boolean write(Phase p, HistoryRecorder.Handle h, Runnable call) {
        try {
            call.run();
            h.ok();
            p.acknowledged.incrementAndGet();
            return false;
        } catch (StatusRuntimeException e) {
            if (Nodes.definitelyNotApplied(e)) {
                h.fail(true);
            } else {
                h.unknown();
                p.unknown.incrementAndGet();
            }
            return true;
        }
    }

    private void appendLoop(int client) {
        int store = initial(client);
        int seq = 0;
        int list = 0;
        while (running.get()) {
            Phase p = current.get();
            ManagedChannel channel = channelOrWait(store);
            if (channel == null || !usable.get(store - 1)) {
                store = next(store);
                continue;
            }
            String key = p.appendKey(list, client, seq++);
            list = (list + 1) % LISTS;
            p.appendsSent.add(key);
            p.operations.incrementAndGet();
            try {
                Nodes.call(channel, RegionKvMethods.RAW_PUT,
                        RawPutRequest.newBuilder().setKey(Nodes.b(key)).setValue(Nodes.b("a" + client)).build(), DEADLINE);
                p.appendsAcknowledged.put(key, System.nanoTime());
                p.acknowledged.incrementAndGet();
            } catch (StatusRuntimeException e) {
                if (!Nodes.definitelyNotApplied(e)) p.unknown.incrementAndGet();
                store = next(store);
            }
        }
    }

    private void readLoop(int client) {
        int store = initial(client);
        while (running.get()) {
            pause(300);
            Phase p = current.get();
            ManagedChannel channel = nodes.channel(store);
            if (channel == null || !usable.get(store - 1)) {
                store = next(store);
                continue;
            }
            long invoked = System.nanoTime();
            try {
                p.checkListRead(scan(channel, p), invoked);
            } catch (StatusRuntimeException e) {
                // a failed read shows nothing
            }
            store = next(store); // every node's reads get checked
        }
    }

    /** Pairs one scan call asks for: the server's default {@code regionkv.api.max-scan-limit}. */
    private static final int SCAN_PAGE = 10_000;

    /**
     * The keys of every list of phase {@code p}, read through {@code channel} page by page: a phase on an idle
     * machine acknowledges more appends than one scan may return, and a read cut at the page limit would
     * report the rest as lost. Every page is a linearizable read that starts after the caller's invocation
     * time, so an append acknowledged before that time must be in its page; the pages together are as strong
     * a check as one read.
     */
    static Set<String> scan(ManagedChannel channel, Phase p) {
        Set<String> seen = new HashSet<>();
        ByteString start = Nodes.b(p.listPrefix());
        while (true) {
            List<KvPair> page = Nodes.call(channel, RegionKvMethods.RAW_SCAN, RawScanRequest.newBuilder()
                    .setStartKey(start).setEndKey(Nodes.b(p.listEnd())).setLimit(SCAN_PAGE).build(), DEADLINE).getPairsList();
            // Only an empty page ends the read: it is the end whatever the server does with page sizes, which
            // a short page would be only while the server fills every page (one call more per phase).
            if (page.isEmpty()) return seen;
            for (KvPair pair : page) seen.add(pair.getKey().toStringUtf8());
            // The list keys are short, so a successor always exists.
            start = KeyRanges.successor(page.get(page.size() - 1).getKey(), Keys.LMDB_MAX_KEY_SIZE).orElseThrow();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
