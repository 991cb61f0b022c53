package io.regionkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.regionkv.api.ApiServer;
import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.GetTimestampRequest;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.ListStoresRequest;
import io.regionkv.proto.Regionkvpb.ListStoresResponse;
import io.regionkv.proto.Regionkvpb.SplitRequest;
import io.regionkv.proto.Regionkvpb.StoreStats;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The admin calls of the gRPC API backed by the scheduler (Split, GetTimestamp, the heartbeat figures of
 * ListStores), through the generated-style stub and through {@code regionkv split|tso|stores}. The API
 * server runs on the client node of an in-process cluster, which holds no store: every call is forwarded.
 */
class AdminCommandsTest {

    private record Run(int code, String out, String err) {}

    @Test
    void splitTimestampAndStoreFiguresOverGrpcAndTheCommandLine() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("admin-commands").withNodes(3).withClientTimeout(Duration.ofSeconds(15))
                .withConfig("regionkv.scheduler.store-heartbeat-interval = 300ms"));
             ApiServer api = ApiServer.start(cluster.clientSystem(), cluster.schedulerClient(1), cluster.scheduler(),
                     cluster.storeIds(), "127.0.0.1", 0, List.of())) {
            String endpoint = "127.0.0.1:" + api.port();
            ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
            try {
                RegionKvStub stub = new RegionKvStub(channel, Duration.ofSeconds(20));

                // Timestamps strictly increase, within one answer (count) and across answers.
                long last = 0;
                for (int i = 0; i < 5; i++) {
                    GetTimestampResponse ts = awaitTimestamp(stub, 1 + i);
                    assertEquals(1 + i, ts.getCount());
                    assertEquals((ts.getPhysical() << 18) | ts.getLogical(), ts.getTimestamp());
                    assertTrue(ts.getTimestamp() - (ts.getCount() - 1) > last, "timestamp went back at " + i);
                    last = ts.getTimestamp();
                }
                StatusRuntimeException tooMany = assertThrows(StatusRuntimeException.class,
                        () -> stub.getTimestamp(GetTimestampRequest.newBuilder().setCount(-1).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getStatus().getCode());

                // Split over gRPC; a second split of the same key is refused (the store's typed Invalid).
                stub.split(SplitRequest.newBuilder().setSplitKey(ByteString.copyFromUtf8("g")).build());
                StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                        () -> stub.split(SplitRequest.newBuilder().setSplitKey(ByteString.copyFromUtf8("g")).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, again.getStatus().getCode(), again.toString());
                StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
                        () -> stub.split(SplitRequest.newBuilder().build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());

                // The command line: split, tso, regions, stores.
                assertEquals(new Run(0, "OK\n", ""), cli("split", "--endpoints", endpoint, "p"));
                Run bad = cli("split", "--endpoints", endpoint, "p");
                assertEquals(1, bad.code(), bad.toString());
                assertTrue(bad.err().startsWith("ERR INVALID_ARGUMENT"), bad.err());
                Run tso = cli("tso", "--endpoints", endpoint);
                Matcher m = Pattern.compile("(\\d+) physical=(\\d+) logical=(\\d+)\n").matcher(tso.out());
                assertTrue(tso.code() == 0 && m.matches(), tso.toString());
                assertTrue(Long.parseLong(m.group(1)) > last, "the command line's timestamp is not newer: " + tso);
                assertEquals(0, cli("timestamp", "--endpoints", endpoint).code());
                assertEquals(2, cli("tso", "--endpoints", endpoint, "extra").code());
                ClusterSystems.awaitCondition("three regions listed", Duration.ofSeconds(30),
                        () -> stub.listRegions(ListRegionsRequest.getDefaultInstance()).getRegionsCount() == 3);
                Run regions = cli("regions", "--endpoints", endpoint);
                assertTrue(regions.out().contains("[g, p)") && regions.out().endsWith("(3 regions)\n"), regions.out());

                // ListStores carries what each store reported to the scheduler.
                // A store counts a region's leader once its peer has heard of it, which may be a heartbeat
                // later than the region itself: wait for both.
                ClusterSystems.awaitCondition("heartbeats of 3 stores with 3 regions each and 3 leaders",
                        Duration.ofSeconds(30), () -> {
                            ListStoresResponse s = stub.listStores(ListStoresRequest.getDefaultInstance());
                            return s.getStatsCount() == 3
                                    && s.getStatsList().stream().allMatch(st -> st.getRegionCount() == 3)
                                    && s.getStatsList().stream().mapToInt(StoreStats::getLeaderCount).sum() == 3;
                        });
                ListStoresResponse stores = stub.listStores(ListStoresRequest.getDefaultInstance());
                assertEquals(3, stores.getStoresCount());
                assertEquals(3, stores.getStatsList().stream().mapToInt(StoreStats::getLeaderCount).sum());
                assertTrue(stores.getStatsList().stream().allMatch(st -> st.getCapacity() > 0), stores.toString());
                Run listed = cli("stores", "--endpoints", endpoint);
                assertEquals(0, listed.code(), listed.toString());
                assertTrue(listed.out().contains(" regions=3 leaders=") && listed.out().endsWith("(3 stores)\n"),
                        listed.out());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The scheduler answers only once its marks are loaded: UNAVAILABLE until then. */
    private static GetTimestampResponse awaitTimestamp(RegionKvStub stub, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return stub.getTimestamp(GetTimestampRequest.newBuilder().setCount(count).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) throw e;
            }
        }
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
