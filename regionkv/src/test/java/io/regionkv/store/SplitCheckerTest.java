package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.engine.WriteBatch;
import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the split checker measures in a region, and where it cuts. */
class SplitCheckerTest {

    @TempDir
    Path dir;

    private static PlacementSettings settings(long maxSize, long splitSize, long maxKeys, long splitKeys) {
        Duration s = Duration.ofSeconds(1);
        return new PlacementSettings(s, s, s, s, maxSize, maxKeys, splitSize, splitKeys, 10);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Region region(String start, String end) {
        return Region.newBuilder().setId(1).setStartKey(ByteString.copyFromUtf8(start))
                .setEndKey(ByteString.copyFromUtf8(end)).setRegionEpoch(RegionEpoch.newBuilder().setVersion(4)).build();
    }

    @Test
    void measuresOnlyTheRegionAndCutsPiecesOfTheSplitSize() {
        try (Engines engines = Engines.open(dir, EngineConfig.defaults().withSyncOnCommit(false))) {
            WriteBatch wb = new WriteBatch();
            for (int i = 0; i < 200; i++) {
                // 9-byte keys, 91-byte values: 100 bytes a pair.
                wb.put(Db.DEFAULT, b(String.format("k%08d", i)), new byte[91]);
            }
            wb.put(Db.SYS, b("k00000050"), new byte[91]); // counts towards the size, never a cut
            wb.put(Db.DEFAULT, b("z-outside"), new byte[5000]); // outside the region
            engines.kv().commit(wb);

            Region r = region("k", "y");
            PeerCommand.SplitCheckDone d = SplitChecker.measure(engines.kv(), settings(10_000, 4_000, 1_000_000, 1_000_000), r);
            assertNull(d.error());
            assertEquals(201 * 100, d.size());
            assertEquals(201, d.keys());
            assertEquals(r.getRegionEpoch(), d.epoch());
            // 20,000 default bytes in pieces of 4,000: cuts at pairs 40, 80, 120, 160.
            assertEquals(4, d.splitKeys().size(), d.splitKeys().toString());
            assertEquals(ByteString.copyFromUtf8("k00000040"), d.splitKeys().get(0));
            for (ByteString k : d.splitKeys()) {
                assertTrue(KeyRanges.compare(k, r.getStartKey()) > 0 && KeyRanges.inRange(k, r.getStartKey(), r.getEndKey()));
            }

            // Under both limits: measured, no cut.
            PeerCommand.SplitCheckDone small = SplitChecker.measure(engines.kv(), settings(30_000, 4_000, 1_000, 100), r);
            assertEquals(0, small.splitKeys().size());
            assertEquals(201, small.keys());
            // Past the key limit: cut every 50 keys.
            PeerCommand.SplitCheckDone keys = SplitChecker.measure(engines.kv(), settings(1_000_000, 500_000, 150, 50), r);
            assertEquals(3, keys.splitKeys().size(), keys.splitKeys().toString());
            assertEquals(ByteString.copyFromUtf8("k00000050"), keys.splitKeys().get(0));
        }
    }
}
