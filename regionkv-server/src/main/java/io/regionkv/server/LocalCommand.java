package io.regionkv.server;

import io.regionkv.RegionKV;
import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.KvPair;
import io.regionkv.store.StorageFailure;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * {@code regionkv local}: a local cluster in this process, driven by commands on
 * standard input (see {@link LocalShell}). Data is kept under DIR across restarts.
 */
public final class LocalCommand {

    private LocalCommand() {}

    /**
     * @param nodes 1 to 9 (one JVM: more only share the same cores)
     * @param data  where the nodes keep their data across runs
     */
    public static int run(int nodes, Path data, InputStream stdin, PrintStream out, PrintStream err) {
        err.println("regionkv: starting " + nodes + " nodes with data under " + data.toAbsolutePath() + " ...");
        try (LocalCluster cluster = LocalCluster.start(nodes, data,
                LocalCluster.sharedCoresConfig(nodes).withFallback(ConfigFactory.load()), Duration.ofSeconds(60))) {
            err.println("regionkv: cluster up; type 'help' for commands");
            reportStorageFailures(cluster, err);
            BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            new LocalShell(in, out, backend(cluster), System.console() != null).run();
            return 0;
        } catch (Exception e) {
            err.println("regionkv: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Says on {@code err} when a node shuts down because its storage failed ({@link StorageFailure}): the
     * shell goes on with the other nodes, and without this line the user would learn it only from the log
     * or from commands that start to fail. A node stopped by the shell's exit says nothing.
     */
    static void reportStorageFailures(LocalCluster cluster, PrintStream err) {
        for (org.apache.pekko.actor.typed.ActorSystem<Void> system : cluster.systems()) {
            String store = RegionKV.get(system).node().map(n -> "store " + n.storeId()).orElse("a node");
            system.getWhenTerminated().thenRun(() -> {
                if (StorageFailure.causedShutdownOf(system)) {
                    err.println("regionkv: " + store + " shut down because its storage failed (see the log); the "
                            + "other nodes go on, and restarting regionkv local reopens its storage");
                }
            });
        }
    }

    static ShellBackend backend(LocalCluster cluster) {
        RegionKV api = cluster.api();
        return new ShellBackend() {
            @Override
            public CompletionStage<Void> put(ByteString key, ByteString value) {
                return api.put(key, value);
            }

            @Override
            public CompletionStage<Optional<ByteString>> get(ByteString key) {
                return api.get(key);
            }

            @Override
            public CompletionStage<Void> delete(ByteString key) {
                return api.delete(key);
            }

            @Override
            public CompletionStage<List<KvPair>> scan(ByteString start, ByteString end, int limit) {
                return api.scan(start, end, limit);
            }

            @Override
            public String status() {
                return cluster.status();
            }

            @Override
            public CompletionStage<List<io.regionkv.scheduler.SchedulerReply.RegionInfo>> regions() {
                return api.regions();
            }

            @Override
            public CompletionStage<Void> split(ByteString key) {
                return api.split(key);
            }

            @Override
            public CompletionStage<List<io.regionkv.scheduler.SchedulerReply.StoreInfo>> stores() {
                return api.stores();
            }

            @Override
            public CompletionStage<Void> transferLeader(long regionId, long storeId) {
                return api.transferLeader(regionId, storeId);
            }

            @Override
            public CompletionStage<Void> addPeer(long regionId, long storeId) {
                return api.addPeer(regionId, storeId);
            }

            @Override
            public CompletionStage<Void> removePeer(long regionId, long storeId) {
                return api.removePeer(regionId, storeId);
            }
        };
    }
}
