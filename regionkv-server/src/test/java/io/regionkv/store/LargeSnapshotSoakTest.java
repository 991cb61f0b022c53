package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.regionkv.api.RegionKvMethods;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import io.regionkv.proto.Regionkvpb.KvPair;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RawBatchPutRequest;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.proto.Regionkvpb.RawScanResponse;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testing.GcLog;
import io.regionkv.testing.ServerProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A region far larger than the heap reaches a new replica on another JVM (issue 10, "large snapshot").
 * Two real {@code regionkv server} JVMs with {@code -Xmx256m}: store 1 alone holds the first region and is
 * filled through gRPC with about 500 MiB of 64 KiB values (splits pushed out of reach), then store 2 starts
 * empty and gets a replica with AddPeer. The raft log was compacted long before, so the learner can only
 * catch up through a snapshot. The test waits until it is promoted to voter, reads the rate from the
 * stores' logs (generation start on store 1 to install end on store 2) and the receiving JVM's peak heap
 * from its GC log, then moves the leadership to store 2 and reads every pair back from it (count and a
 * CRC of every value). Tagged {@code soak} (a few minutes, about 2 GB of disk):
 * {@code mvn -B -Psoak test -Dtest=LargeSnapshotSoakTest} ({@code -Dregionkv.large-snapshot.mib=N} for
 * another size).
 */
@Tag("soak")
class LargeSnapshotSoakTest {

    private static final int VALUE_BYTES = 64 * 1024;
    private static final long MIB = 1L << 20;
    private static final int HEAP_MIB = 256;
    private static final int PAIRS_PER_PUT = 8;
    private static final Duration START = Duration.ofMinutes(2);

    private ServerProcesses cluster;
    private Path base;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        channels.forEach(ManagedChannel::shutdownNow);
        if (cluster != null) cluster.close();
        // The data is gigabytes: remove it whatever the outcome; the logs stay for reading.
        if (base != null) {
            for (String dir : List.of("s1", "s2")) deleteTree(base.resolve(dir));
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void aRegionLargerThanTheHeapReachesANewReplicaOnAnotherJvm() throws Exception {
        int mib = Integer.getInteger("regionkv.large-snapshot.mib", 500);
        int pairs = (int) (mib * MIB / VALUE_BYTES);
        base = Files.createTempDirectory("regionkv-large-snapshot");
        System.out.println("LargeSnapshotSoakTest: " + mib + " MiB in " + pairs + " values; logs in " + base);
        cluster = new ServerProcesses(base, 2, List.of("-Xmx" + HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc:file=" + base.resolve("gc-%p.log"),
                "-Dregionkv.split.region-max-size=64GiB", "-Dregionkv.split.region-split-size=32GiB",
                "-Dregionkv.split.region-max-keys=100000000", "-Dregionkv.split.region-split-keys=50000000"))
                .initialStores(1);
        cluster.start(1);
        cluster.awaitReady(1, 0, START);
        cluster.awaitServing(1, START);
        ManagedChannel one = channel(1);

        long fillStart = System.nanoTime();
        fill(one, pairs);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        System.out.printf("LargeSnapshotSoakTest: filled %d MiB in %.1f s (%.1f MiB/s)%n", mib, fillSeconds,
                mib / fillSeconds);

        cluster.start(2);
        cluster.awaitReady(2, 0, START);
        cluster.awaitServing(2, START);
        ManagedChannel two = channel(2);
        long regionId = onlyRegion(one).getRegion().getId();
        addPeer(one, regionId, 2);
        ClusterSystems.awaitCondition("the replica on store 2 promoted to voter", Duration.ofMinutes(20),
                () -> peerOn(one, regionId, 2).filter(p -> p.getRole() == PeerRole.Voter).isPresent());
        ClusterSystems.awaitCondition("store 2 logs its install", Duration.ofMinutes(1),
                () -> logMatch(2, INSTALLED).isPresent());
        assertTrue(cluster.isAlive(2), "the receiving JVM died (see server-2.log)");

        Matcher generated = logMatch(1, GENERATED).orElseThrow(() -> new AssertionError("store 1 logged no generation"));
        Matcher installed = logMatch(2, INSTALLED).orElseThrow();
        long bytes = Long.parseLong(installed.group(3));
        assertEquals(Long.parseLong(generated.group(3)), bytes, "the installed snapshot is the one generated");
        LocalTime generationStart = LocalTime.parse(generated.group(1)).minusNanos(Long.parseLong(generated.group(4)) * 1_000_000);
        double seconds = Duration.between(generationStart, LocalTime.parse(installed.group(1))).toNanos() / 1e9;
        Path gcLog = base.resolve("gc-" + cluster.pid(2) + ".log");
        long peakHeap = GcLog.peakUsedBytes(gcLog);
        System.out.printf("LargeSnapshotSoakTest: snapshot of %d bytes from generation start to install end in %.1f s:"
                + " %.1f MiB/s; generated in %s ms, installed (check + apply) in %s ms; receiving JVM: peak heap in use"
                + " %d MiB of -Xmx%dm over %d collections%n", bytes, seconds, bytes / MIB / seconds,
                generated.group(4), installed.group(4), peakHeap / MIB, HEAP_MIB, GcLog.collections(gcLog));
        logMatch(1, SENT).ifPresent(m -> System.out.println("LargeSnapshotSoakTest: store 1: " + m.group()));
        // Once is enough: the learner must not reject the leader's probe while it checks the file, which
        // made the leader stream the whole region a second time.
        assertEquals(1, logCount(1, SENT), "times store 1 streamed the snapshot");
        assertTrue(bytes >= (long) pairs * VALUE_BYTES, "the snapshot holds every value: " + bytes + " bytes");
        assertTrue(peakHeap > 0 && peakHeap <= HEAP_MIB * MIB, "peak heap " + peakHeap + " within -Xmx" + HEAP_MIB + "m");

        // Read everything back from store 2's own data: it leads once the leadership moved there.
        call(one, RegionKvMethods.TRANSFER_LEADER, TransferLeaderRequest.newBuilder().setRegionId(regionId).setStoreId(2).build());
        ClusterSystems.awaitCondition("store 2 leads", Duration.ofMinutes(1),
                () -> onlyRegion(one).getLeader().getStoreId() == 2);
        verify(two, pairs);
        assertTrue(cluster.isAlive(2), "the receiving JVM died while serving the reads");
    }

    // ---- the data ----------------------------------------------------------------------------------------

    private static ByteString key(int i) {
        return ByteString.copyFromUtf8(String.format("big%07d", i));
    }

    /** Incompressible and reproducible: the value of pair {@code i} from a generator seeded with {@code i}. */
    private static byte[] value(int i) {
        byte[] v = new byte[VALUE_BYTES];
        new SplittableRandom(i).nextBytes(v);
        return v;
    }

    private void fill(ManagedChannel channel, int pairs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int first = 0; first < pairs; first += PAIRS_PER_PUT) {
                int from = first;
                int to = Math.min(pairs, first + PAIRS_PER_PUT);
                puts.add(pool.submit(() -> {
                    RawBatchPutRequest.Builder b = RawBatchPutRequest.newBuilder();
                    for (int i = from; i < to; i++) {
                        b.addPairs(KvPair.newBuilder().setKey(key(i)).setValue(ByteString.copyFrom(value(i))));
                    }
                    call(channel, RegionKvMethods.RAW_BATCH_PUT, b.build());
                    return null;
                }));
            }
            for (Future<?> f : puts) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private void verify(ManagedChannel channel, int pairs) {
        CRC32 expected = new CRC32();
        for (int i = 0; i < pairs; i++) expected.update(value(i));
        CRC32 actual = new CRC32();
        int count = 0;
        ByteString from = key(0);
        while (true) {
            RawScanResponse page = call(channel, RegionKvMethods.RAW_SCAN,
                    RawScanRequest.newBuilder().setStartKey(from).setLimit(32).build());
            for (KvPair p : page.getPairsList()) {
                assertEquals(key(count), p.getKey(), "pair " + count);
                actual.update(p.getValue().asReadOnlyByteBuffer());
                count++;
            }
            if (page.getPairsCount() < 32) break;
            from = key(count);
        }
        assertEquals(pairs, count, "pairs read back from store 2");
        assertEquals(expected.getValue(), actual.getValue(), "CRC32 of every value read back from store 2");
        System.out.println("LargeSnapshotSoakTest: read back " + count + " pairs from store 2, CRC32 matches");
    }

    // ---- the cluster ---------------------------------------------------------------------------------------

    private ManagedChannel channel(int store) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort(store)).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        channels.add(c);
        return c;
    }

    private static <Q, R> R call(ManagedChannel channel, MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), request);
    }

    private static RegionInfo onlyRegion(ManagedChannel channel) {
        List<RegionInfo> regions = call(channel, RegionKvMethods.LIST_REGIONS, ListRegionsRequest.getDefaultInstance())
                .getRegionsList();
        assertEquals(1, regions.size(), "one region (no split): " + regions);
        return regions.get(0);
    }

    private static Optional<Peer> peerOn(ManagedChannel channel, long regionId, long storeId) {
        return onlyRegion(channel).getRegion().getPeersList().stream().filter(p -> p.getStoreId() == storeId).findFirst();
    }

    /** AddPeer until the region names a replica on {@code storeId} (the new store may not be known at first). */
    private static void addPeer(ManagedChannel channel, long regionId, long storeId) {
        ClusterSystems.awaitCondition("a replica of region " + regionId + " on store " + storeId, START, () -> {
            if (peerOn(channel, regionId, storeId).isPresent()) return true;
            try {
                call(channel, RegionKvMethods.ADD_PEER, AddPeerRequest.newBuilder().setRegionId(regionId)
                        .setStoreId(storeId).build());
            } catch (StatusRuntimeException e) {
                System.out.println("LargeSnapshotSoakTest: AddPeer not yet: " + e.getStatus());
                sleep(1000);
            }
            return false;
        });
    }

    // ---- the stores' logs ----------------------------------------------------------------------------------

    private static final Pattern GENERATED = Pattern.compile(
            "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*region (\\d+): generated snapshot at index \\d+: (\\d+) bytes in (\\d+) ms");
    private static final Pattern INSTALLED = Pattern.compile(
            "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*region (\\d+): installed snapshot at index \\d+: (\\d+) bytes checked and applied in (\\d+) ms");
    private static final Pattern SENT = Pattern.compile("region \\d+: snapshot at index \\d+ sent to peer .*");

    /** The last line of store {@code store}'s log that {@code pattern} matches. */
    private Optional<Matcher> logMatch(int store, Pattern pattern) {
        try {
            Matcher last = null;
            for (String line : Files.readAllLines(base.resolve("server-" + store + ".log"))) {
                Matcher m = pattern.matcher(line);
                if (m.find()) last = m;
            }
            return Optional.ofNullable(last);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private long logCount(int store, Pattern pattern) throws IOException {
        return Files.readAllLines(base.resolve("server-" + store + ".log")).stream()
                .filter(l -> pattern.matcher(l).find()).count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
