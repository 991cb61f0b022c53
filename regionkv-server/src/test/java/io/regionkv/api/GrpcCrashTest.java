package io.regionkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawGetResponse;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import io.regionkv.testkit.CheckResult;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.HistoryRecorder;
import io.regionkv.testkit.LinearizabilityChecker;
import io.regionkv.testing.ServerProcesses;
import io.regionkv.testkit.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three real {@code regionkv server} JVMs driven only through gRPC: the client side uses nothing of
 * RegionKV but the proto messages and the method descriptors (what any language's generated stub has).
 * Several clients write and read through different nodes; the process of the region's leader is
 * SIGKILLed mid-load and restarted over its data. Every acknowledged write must be there afterwards and
 * the recorded history must be linearizable. Tagged {@code soak}:
 * {@code mvn -B -Psoak test -Dtest=GrpcCrashTest}.
 */
@Tag("soak")
class GrpcCrashTest {

    private static final Duration START = Duration.ofSeconds(120);
    private static final int CLIENTS = 4;

    private ServerProcesses cluster;
    private Path base;
    /** Set at the end of the test: a failed run keeps its data and server logs for reading. */
    private boolean passed;
    /** One channel per node, store s at s - 1; a restarted node serves on a new port, so it gets a new one. */
    private final AtomicReferenceArray<ManagedChannel> channels = new AtomicReferenceArray<>(3);

    @AfterEach
    void stop() {
        for (int i = 0; i < channels.length(); i++) {
            if (channels.get(i) != null) channels.get(i).shutdownNow();
        }
        if (cluster != null) cluster.close();
        if (passed) TempDirs.deleteTree(base);
    }

    private void connect(int store) {
        channels.set(store - 1, NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort(store)).usePlaintext().build());
    }

    private static <Q, R> R call(ManagedChannel channel, MethodDescriptor<Q, R> method, Q request, Duration deadline) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS), request);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void acknowledgedWritesSurviveSigkillOfTheLeadersProcess() throws Exception {
        base = Files.createTempDirectory("regionkv-grpc-crash");
        System.out.println("GrpcCrashTest: data and server logs in " + base);
        cluster = new ServerProcesses(base, 3);
        for (int s = 1; s <= 3; s++) cluster.start(s);
        for (int s = 1; s <= 3; s++) cluster.awaitReady(s, 0, START);
        for (int s = 1; s <= 3; s++) connect(s);
        ClusterSystems.awaitCondition("first write accepted", START, () -> {
            try {
                call(channels.get(0), RegionKvMethods.RAW_PUT,
                        RawPutRequest.newBuilder().setKey(b("hello")).setValue(b("world")).build(), Duration.ofSeconds(10));
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });

        HistoryRecorder history = new HistoryRecorder();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int id = c;
            Thread t = new Thread(() -> clientLoop(id, history, acknowledged, running), "grpc-client-" + c);
            t.start();
            clients.add(t);
        }
        Thread.sleep(3000);
        int leader = leaderStore();
        System.out.println("GrpcCrashTest: SIGKILL store " + leader + ", the leader");
        int readyBefore = cluster.readyLines(leader);
        cluster.kill(leader);
        Thread.sleep(2000);
        cluster.start(leader);
        cluster.awaitReady(leader, readyBefore, START);
        ManagedChannel old = channels.get(leader - 1);
        connect(leader);
        old.shutdownNow();
        Thread.sleep(3000);
        running.set(false);
        for (Thread t : clients) t.join(60_000);

        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertEquals(e.getValue(), readBack(e.getKey()), "acknowledged write of " + e.getKey());
        }
        assertTrue(acknowledged.size() > 20, "the clients made progress: " + acknowledged.size() + " writes");
        CheckResult verdict = new LinearizabilityChecker().check(history.history());
        System.out.println("GrpcCrashTest: " + acknowledged.size() + " acknowledged writes; " + verdict.outcome());
        assertTrue(verdict.isOk(), verdict.toString());
        passed = true;
    }

    /** The store that leads the one region, as the cluster reports it through any node. */
    private int leaderStore() {
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            for (int i = 0; i < channels.length(); i++) {
                ManagedChannel c = channels.get(i);
                try {
                    List<RegionInfo> regions = call(c, RegionKvMethods.LIST_REGIONS,
                            ListRegionsRequest.getDefaultInstance(), Duration.ofSeconds(10)).getRegionsList();
                    if (!regions.isEmpty() && regions.get(0).hasLeader()) {
                        return (int) regions.get(0).getLeader().getStoreId();
                    }
                } catch (StatusRuntimeException e) {
                    // try the next node
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no leader reported");
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    private String readBack(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int node = 0;
        while (true) {
            try {
                RawGetResponse r = call(channels.get(node++ % channels.length()), RegionKvMethods.RAW_GET,
                        RawGetRequest.newBuilder().setKey(b(key)).build(), Duration.ofSeconds(15));
                return r.getNotFound() ? null : r.getValue().toStringUtf8();
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) throw e;
            }
        }
    }

    /**
     * Writes a small set of keys and reads them back through node {@code id % 3} (moving to the next node
     * when one is down). A write whose answer is lost may have happened: it is recorded as unknown, and a
     * failure that gRPC reports as definite ({@code INVALID_ARGUMENT}, {@code FAILED_PRECONDITION}) as
     * failed. UNAVAILABLE counts as unknown too: a connection cut mid-call says so as well.
     */
    private void clientLoop(int id, HistoryRecorder history, Map<String, String> acknowledged, AtomicBoolean running) {
        int seq = 0;
        int node = id % channels.length();
        while (running.get()) {
            ManagedChannel channel = channels.get(node);
            String key = "c" + id + "-" + (seq % 10);
            String value = "v" + id + "-" + seq++;
            var h = history.invokePut(id, key, value);
            try {
                call(channel, RegionKvMethods.RAW_PUT, RawPutRequest.newBuilder().setKey(b(key)).setValue(b(value)).build(),
                        Duration.ofSeconds(20));
                h.ok();
                acknowledged.put(key, value);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION) {
                    h.fail(true);
                } else {
                    h.unknown();
                    acknowledged.remove(key); // a later read decides
                }
                node = (node + 1) % channels.length();
                continue;
            }
            var g = history.invokeGet(id, key);
            try {
                RawGetResponse r = call(channel, RegionKvMethods.RAW_GET, RawGetRequest.newBuilder().setKey(b(key)).build(),
                        Duration.ofSeconds(20));
                g.ok(r.getNotFound() ? null : r.getValue().toStringUtf8());
            } catch (StatusRuntimeException e) {
                g.fail(true); // a read has no effect
                node = (node + 1) % channels.length();
            }
        }
    }
}
