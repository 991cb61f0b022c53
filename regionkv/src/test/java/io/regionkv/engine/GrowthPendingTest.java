package io.regionkv.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long-lived read view (a snapshot dump) learns that map growth waits for it, and by closing lets the
 * writer go on; growth never has to wait for the whole dump.
 */
class GrowthPendingTest {

    @TempDir
    Path dir;

    private static WriteBatch fill(int from, int count, int valueBytes) {
        WriteBatch b = new WriteBatch();
        for (int i = from; i < from + count; i++) {
            b.put(Db.DEFAULT, String.format("k%08d", i).getBytes(), new byte[valueBytes]);
        }
        return b;
    }

    @Test
    void aLongReaderSeesPendingGrowthAndClosingLetsTheWriterGrow() throws Exception {
        EngineConfig config = EngineConfig.defaults().withSyncOnCommit(false).withInitialMapSize(1 << 20)
                .withMaxMapSize(1L << 30);
        try (Engine kv = Engine.open(EngineKind.KV, dir, config)) {
            kv.commit(fill(0, 100, 1000));
            assertFalse(kv.growthPending());
            ReadView dump = kv.readView();
            // Far more than the 1 MiB map: the commit must grow it, which waits for the dump's view.
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> kv.commit(fill(100, 4000, 1000)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!kv.growthPending() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(kv.growthPending(), "the growing writer waits for the open view");
            assertFalse(writer.isDone());
            dump.close(); // the dump gives way
            writer.get(20, TimeUnit.SECONDS);
            assertFalse(kv.growthPending());
            assertTrue(kv.growthCount() > 0);
            try (ReadView again = kv.readView()) {
                assertTrue(again.get(Db.DEFAULT, String.format("k%08d", 4099).getBytes()) != null);
            }
        }
    }
}
