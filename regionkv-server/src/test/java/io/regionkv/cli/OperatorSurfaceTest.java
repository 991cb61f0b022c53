package io.regionkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.KvPair;
import io.regionkv.proto.Regionkvpb.RawBatchGetRequest;
import io.regionkv.proto.Regionkvpb.RawBatchGetResponse;
import io.regionkv.proto.Regionkvpb.RawBatchPutRequest;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testing.ServerProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's view of a real cluster of three {@code regionkv server} JVMs: the command line against
 * it over gRPC, {@code /metrics} moving with traffic, and {@code /health/ready} turning ready only once a
 * node has joined. Store 2 starts first, while its seed (store 1) is not yet running, so that its
 * readiness can be seen before and after it joins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorSurfaceTest {

    private static final Duration START = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ServerProcesses cluster;
    private static Path base;
    private static int notReadyBeforeJoin;
    private static int aliveBeforeJoin;

    private record Run(int code, String out, String err) {}

    @BeforeAll
    static void startCluster() throws Exception {
        base = Files.createTempDirectory("regionkv-ops");
        System.out.println("OperatorSurfaceTest: data and server logs in " + base);
        cluster = new ServerProcesses(base, 3);
        cluster.start(2);
        // Its HTTP endpoint serves before the node has a cluster to join.
        cluster.awaitServing(2, START);
        ClusterSystems.awaitCondition("store 2 alive", START, () -> status(2, "/health/alive") == 200);
        aliveBeforeJoin = status(2, "/health/alive");
        notReadyBeforeJoin = status(2, "/health/ready");
        cluster.start(1);
        cluster.start(3);
        for (int s = 1; s <= 3; s++) cluster.awaitReady(s, 0, START);
        // The first region needs a leader before the first command can succeed.
        ClusterSystems.awaitCondition("first put accepted", START,
                () -> cli("put", "--endpoints", endpoints(), "--timeout", "5s", "warmup", "1").code() == 0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
        io.regionkv.testkit.TempDirs.deleteTree(base);
    }

    private static String endpoints() {
        return cluster.grpcEndpoint(1) + "," + cluster.grpcEndpoint(2) + "," + cluster.grpcEndpoint(3);
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> http(int store, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.httpPort(store) + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(int store, String path) {
        try {
            return http(store, path).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    @Order(1)
    void readyOnlyAfterJoining() {
        assertEquals(200, aliveBeforeJoin, "alive while waiting for the seed");
        assertEquals(503, notReadyBeforeJoin, "not ready before the node joined");
        for (int s = 1; s <= 3; s++) assertEquals(200, status(s, "/health/ready"), "store " + s + " ready after joining");
    }

    @Test
    @Order(2)
    void commandLineAgainstTheCluster() {
        // Each command through a different node: any node answers any request.
        assertEquals(new Run(0, "OK\n", ""), cli("put", "--endpoints", cluster.grpcEndpoint(1), "fruit/apple", "red", "and", "round"));
        assertEquals(new Run(0, "OK\n", ""), cli("put", "--endpoints", cluster.grpcEndpoint(2), "fruit/kiwi", "green"));
        assertEquals(new Run(0, "red and round\n", ""), cli("get", "--endpoints", cluster.grpcEndpoint(3), "fruit/apple"));
        assertEquals(new Run(0, "(nil)\n", ""), cli("get", "--endpoints", cluster.grpcEndpoint(3), "fruit/none"));
        assertEquals(new Run(0, "fruit/apple red and round\nfruit/kiwi green\n(2 keys)\n", ""),
                cli("scan", "--endpoints", endpoints(), "fruit/", "fruit0"));
        assertEquals(new Run(0, "fruit/apple red and round\n(1 keys)\n", ""),
                cli("scan", "--endpoints", endpoints(), "fruit/", "fruit0", "1"));
        assertEquals(new Run(0, "OK\n", ""), cli("delete", "--endpoints", endpoints(), "fruit/kiwi"));
        assertEquals(new Run(0, "(nil)\n", ""), cli("get", "--endpoints", endpoints(), "fruit/kiwi"));

        Run regions = cli("regions", "--endpoints", endpoints());
        assertEquals(0, regions.code(), regions.err());
        assertTrue(regions.out().matches("(?s)region 1 \\[, \\) epoch \\d+/\\d+ peers 1@1,2@2,3@3 leader=\\d@\\d\n\\(1 regions\\)\n"),
                regions.out());
        Run stores = cli("stores", "--endpoints", endpoints());
        assertEquals(0, stores.code(), stores.err());
        assertTrue(stores.out().contains("store 1 Up pekko://regionkv@127.0.0.1:") && stores.out().endsWith("(3 stores)\n"),
                stores.out());

        // A bad key (the empty key) is refused by the cluster: exit 1, ERR on standard error.
        Run badKey = cli("get", "--endpoints", endpoints(), "");
        assertEquals(1, badKey.code());
        assertEquals("", badKey.out());
        assertTrue(badKey.err().startsWith("ERR INVALID_ARGUMENT: "), badKey.err());
        // Nothing listens on the first endpoint: the next one answers.
        assertEquals(new Run(0, "red and round\n", ""),
                cli("get", "--endpoints", "127.0.0.1:1," + cluster.grpcEndpoint(2), "fruit/apple"));

        // Bad usage: exit 2, the reason and the usage on standard error, nothing run.
        Run missing = cli("get", "--endpoints", endpoints());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required parameter: 'KEY'") && missing.err().contains("Usage: regionkv get"),
                missing.err());
        Run badEndpoint = cli("put", "--endpoints", "nowhere", "k", "v");
        assertEquals(2, badEndpoint.code());
        assertTrue(badEndpoint.err().contains("needs HOST:PORT, got 'nowhere'"), badEndpoint.err());
        Run badLimit = cli("scan", "--endpoints", endpoints(), "a", "b", "many");
        assertEquals(2, badLimit.code(), badLimit.err());
        Run help = cli("scan", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: regionkv scan"), help.out());
    }

    @Test
    @Order(3)
    void metricsMoveWithTraffic() throws Exception {
        int store = 3;
        String endpoint = cluster.grpcEndpoint(store);
        double appliedBefore = sumOverStores("regionkv_store_proposals_total", "outcome=\"applied\",");
        double fsyncsBefore = storeMetric(store, "regionkv_raft_log_fsync_seconds_count", "");
        double fsyncWritesBefore = storeMetric(store, "regionkv_raft_log_writes_per_fsync_sum", "");
        double appliesBefore = storeMetric(store, "regionkv_apply_seconds_count", "");
        double entriesWrittenBefore = storeMetric(store, "regionkv_raft_log_entries_written_total", "");
        double raftWritesBefore = storeMetric(store, "regionkv_raft_log_writes_total", "");
        double commitsBefore = storeMetric(store, "regionkv_raft_log_commits_total", "");
        double entriesAppliedBefore = storeMetric(store, "regionkv_apply_entries_total", "");
        double applyBatchesBefore = storeMetric(store, "regionkv_apply_batches_total", "");
        double putsBefore = metric(store, "regionkv_grpc_requests_seconds_count", "RawPut", "OK");
        double invalidBefore = metric(store, "regionkv_grpc_requests_seconds_count", "RawGet", "INVALID_ARGUMENT");
        for (int i = 0; i < 5; i++) assertEquals(0, cli("put", "--endpoints", endpoint, "m" + i, "v").code());
        assertEquals(1, cli("get", "--endpoints", endpoint, "").code());
        assertEquals(putsBefore + 5, metric(store, "regionkv_grpc_requests_seconds_count", "RawPut", "OK"));
        assertEquals(invalidBefore + 1, metric(store, "regionkv_grpc_requests_seconds_count", "RawGet", "INVALID_ARGUMENT"));
        assertTrue(metric(store, "regionkv_grpc_requests_seconds_sum", "RawPut", "OK") > 0, "latency recorded");

        // The store's own figures: every put was applied through some leader's proposal, and this store
        // (leader or follower) fsynced the appends in its raft log and applied the entries.
        assertTrue(sumOverStores("regionkv_store_proposals_total", "outcome=\"applied\",") >= appliedBefore + 5,
                "applied proposals counted");
        assertTrue(storeMetric(store, "regionkv_raft_log_fsync_seconds_count", "") > fsyncsBefore, "raft-log fsyncs counted");
        assertTrue(storeMetric(store, "regionkv_raft_log_fsync_seconds_sum", "") > 0, "fsync latency recorded");
        assertTrue(storeMetric(store, "regionkv_raft_log_writes_per_fsync_sum", "") > fsyncWritesBefore,
                "writes per fsync recorded");
        assertTrue(storeMetric(store, "regionkv_apply_seconds_count", "") > appliesBefore, "applies counted");
        // Every replica logs and applies every put's entry, in however many rounds.
        assertTrue(storeMetric(store, "regionkv_raft_log_entries_written_total", "") >= entriesWrittenBefore + 5,
                "entries written counted");
        assertTrue(storeMetric(store, "regionkv_raft_log_writes_total", "") > raftWritesBefore, "raft writes counted");
        assertTrue(storeMetric(store, "regionkv_raft_log_commits_total", "") > commitsBefore, "raft-log commits counted");
        assertTrue(storeMetric(store, "regionkv_apply_entries_total", "") >= entriesAppliedBefore + 5,
                "entries applied counted");
        assertTrue(storeMetric(store, "regionkv_apply_batches_total", "") > applyBatchesBefore, "apply batches counted");
        double syncAge = storeMetric(store, "regionkv_kv_sync_age_seconds", "");
        assertTrue(syncAge >= 0 && syncAge < 60, "kv synced within the last minute: " + syncAge);
        assertTrue(storeMetric(store, "regionkv_store_pending_proposals", "") >= 0, "pending proposals gauge");
        assertTrue(storeMetric(store, "regionkv_store_pending_reads", "") >= 0, "pending reads gauge");
        assertTrue(storeMetric(store, "regionkv_snapshot_sent_bytes_total", "") >= 0, "snapshot bytes counter");

        String text = http(store, "/metrics").body();
        assertTrue(text.contains("regionkv_store_regions{store=\"3\"} 1.0"), "one region on store 3");
        // Some store leads the one region (two only for the moment of a leader change).
        int leaders = 0;
        for (int s = 1; s <= 3; s++) {
            Matcher m = Pattern.compile("regionkv_store_leaders\\{store=\"" + s + "\"} (\\S+)").matcher(http(s, "/metrics").body());
            assertTrue(m.find(), "leaders gauge of store " + s);
            leaders += (int) Double.parseDouble(m.group(1));
        }
        assertTrue(leaders >= 1, "a leader counted: " + leaders);
    }

    @Test
    @Order(4)
    void batchCallsAndLimitsThroughTheGrpcApi() {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort(2)).usePlaintext().build();
        try {
            RegionKvStub stub = new RegionKvStub(channel, Duration.ofSeconds(15));
            stub.rawBatchPut(RawBatchPutRequest.newBuilder()
                    .addPairs(KvPair.newBuilder().setKey(b("batch/1")).setValue(b("one")))
                    .addPairs(KvPair.newBuilder().setKey(b("batch/2")).setValue(b("two"))).build());
            RawBatchGetResponse got = stub.rawBatchGet(RawBatchGetRequest.newBuilder()
                    .addKeys(b("batch/2")).addKeys(b("batch/none")).addKeys(b("batch/1")).build());
            // Absent keys are left out; the others come in the order asked.
            assertEquals(List.of(KvPair.newBuilder().setKey(b("batch/2")).setValue(b("two")).build(),
                    KvPair.newBuilder().setKey(b("batch/1")).setValue(b("one")).build()), got.getPairsList());

            RawBatchGetRequest.Builder tooMany = RawBatchGetRequest.newBuilder();
            for (int i = 0; i <= 1024; i++) tooMany.addKeys(b("k" + i)); // regionkv.api.max-batch-keys + 1
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> stub.rawBatchGet(tooMany.build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            StatusRuntimeException noLimit = assertThrows(StatusRuntimeException.class,
                    () -> stub.rawScan(RawScanRequest.newBuilder().setLimit(0).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, noLimit.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /**
     * The value of {@code name} on {@code store}, whose labels start with {@code labelsBefore} (labels are
     * sorted by name, so {@code store} comes after {@code outcome}); -1 when the metric is missing.
     */
    private static double storeMetric(int store, String name, String labelsBefore) throws Exception {
        Matcher m = Pattern.compile("^" + Pattern.quote(name + "{" + labelsBefore + "store=\"" + store + "\"} ") + "(\\S+)$",
                Pattern.MULTILINE).matcher(http(store, "/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static double sumOverStores(String name, String labelsBefore) throws Exception {
        double sum = 0;
        for (int s = 1; s <= 3; s++) {
            double v = storeMetric(s, name, labelsBefore);
            assertTrue(v >= 0, name + " missing on store " + s);
            sum += v;
        }
        return sum;
    }

    /** The value of a request counter of one node, 0 when it has not been created yet (no such call). */
    private static double metric(int store, String name, String command, String outcome) throws Exception {
        String text = http(store, "/metrics").body();
        Matcher m = Pattern.compile("^" + name + "\\{command=\"" + command + "\",outcome=\"" + outcome
                + "\",store=\"" + store + "\"} (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
