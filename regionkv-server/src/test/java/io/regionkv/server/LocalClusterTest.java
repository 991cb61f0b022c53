package io.regionkv.server;

import io.regionkv.RegionKV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process cluster of {@code regionkv local}: a clean close leaves its data synced and reopenable. */
class LocalClusterTest {

    @TempDir
    Path dir;

    private static LocalCluster start(Path dir) {
        return LocalCluster.start(1, dir, LocalCluster.sharedCoresConfig(1).withFallback(ConfigFactory.load()),
                Duration.ofSeconds(60));
    }

    @Test
    void closeSyncsTheKvDataBeforeReturning() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/sys/kernel/random/boot_id")),
                "deferred kv sync needs a kernel boot id (Linux)");
        Path marker = dir.resolve("node-1").resolve("kv").resolve("UNSYNCED");
        ByteString key = ByteString.copyFromUtf8("k");
        try (LocalCluster cluster = start(dir)) {
            RegionKV.get(cluster.systems().get(0)).put(key, ByteString.copyFromUtf8("v"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(Files.exists(marker), "an acknowledged write left unsynced kv data behind (deferred sync)");
        }
        assertFalse(Files.exists(marker), "close must wait for the engines to sync and close");
        try (LocalCluster again = start(dir)) {
            assertEquals(Optional.of(ByteString.copyFromUtf8("v")),
                    RegionKV.get(again.systems().get(0)).get(key).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aScanLargerThanOneNetworkFrameReturnsEveryKeyInOrder() throws Exception {
        int keys = 1500; // 1,500 pairs of ~210 bytes: more than one answer may carry
        try (LocalCluster cluster = start(dir)) {
            RegionKV kv = RegionKV.get(cluster.systems().get(0));
            java.util.List<java.util.concurrent.CompletableFuture<Void>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < keys; i++) {
                puts.add(kv.put(ByteString.copyFromUtf8(String.format("scan-%05d", i)),
                        ByteString.copyFrom(new byte[200])).toCompletableFuture());
            }
            for (var p : puts) p.get(60, TimeUnit.SECONDS);
            var all = kv.scan(ByteString.copyFromUtf8("scan-"), ByteString.copyFromUtf8("scan."), 10_000)
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(keys, all.size());
            for (int i = 0; i < keys; i++) {
                assertEquals(String.format("scan-%05d", i), all.get(i).key().toStringUtf8());
            }
        }
    }
}
