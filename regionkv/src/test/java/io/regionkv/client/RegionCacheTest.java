package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegionCacheTest {

    static ByteString k(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static Peer peer(long id, long store) {
        return Peer.newBuilder().setId(id).setStoreId(store).build();
    }

    static Region region(long id, String start, String end, long version, long confVer, long... stores) {
        Region.Builder b = Region.newBuilder().setId(id).setStartKey(k(start)).setEndKey(k(end))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(version).setConfVer(confVer));
        for (long s : stores) b.addPeers(peer(id * 100 + s, s));
        return b.build();
    }

    private static long regionAt(RegionCache c, String key) {
        return c.find(k(key)).map(CachedRegion::id).orElse(0L);
    }

    @Test
    void findsTheRegionWhoseRangeHoldsTheKey() {
        RegionCache c = new RegionCache();
        assertTrue(c.find(k("a")).isEmpty());
        c.update(region(1, "", "g", 1, 1, 1), Optional.empty());
        c.update(region(2, "g", "p", 1, 1, 1), Optional.empty());
        c.update(region(3, "p", "", 1, 1, 1), Optional.empty());
        assertEquals(1, regionAt(c, "\u0000"));
        assertEquals(1, regionAt(c, "fzzz"));
        assertEquals(2, regionAt(c, "g"), "start key is inside");
        assertEquals(2, regionAt(c, "ozz"));
        assertEquals(3, regionAt(c, "p"), "end key is outside");
        assertEquals(3, regionAt(c, "\u00ff\u00ff"), "empty end key is +infinity");
    }

    @Test
    void holesAnswerNothing() {
        RegionCache c = new RegionCache();
        c.update(region(2, "g", "p", 1, 1, 1), Optional.empty());
        assertTrue(c.find(k("a")).isEmpty());
        assertTrue(c.find(k("p")).isEmpty());
        assertEquals(2, regionAt(c, "h"));
    }

    @Test
    void keysCompareAsUnsignedBytes() {
        RegionCache c = new RegionCache();
        ByteString split = ByteString.copyFrom(new byte[] {(byte) 0x80});
        c.update(Region.newBuilder().setId(1).setEndKey(split).build(), Optional.empty());
        c.update(Region.newBuilder().setId(2).setStartKey(split).build(), Optional.empty());
        assertEquals(1, c.find(ByteString.copyFrom(new byte[] {0x7f})).get().id());
        assertEquals(2, c.find(ByteString.copyFrom(new byte[] {(byte) 0xff})).get().id(),
                "0xff sorts after 0x80, though it is a negative byte in Java");
    }

    @Test
    void aSplitReplacesTheParentEverywhereItOverlaps() {
        RegionCache c = new RegionCache();
        c.update(region(1, "", "", 1, 1, 1, 2, 3), Optional.of(peer(101, 1)));
        c.updateAll(List.of(region(1, "", "m", 2, 1, 1, 2, 3), region(2, "m", "", 2, 1, 1, 2, 3)));
        assertEquals(2, c.regions().size());
        assertEquals(1, regionAt(c, "a"));
        assertEquals(2, regionAt(c, "x"));
        assertEquals(1, c.find(k("a")).get().leaderStoreId(), "an epoch change keeps the known leader");
        assertEquals(0, c.find(k("x")).get().leaderStoreId(), "a new region has no known leader yet");
    }

    @Test
    void aNewRegionSpanningSeveralCachedOnesReplacesThemAll() {
        RegionCache c = new RegionCache();
        c.update(region(1, "a", "c", 1, 1, 1), Optional.empty());
        c.update(region(2, "c", "e", 1, 1, 1), Optional.empty());
        c.update(region(3, "e", "g", 1, 1, 1), Optional.empty());
        c.update(region(4, "x", "", 1, 1, 1), Optional.empty());
        c.update(region(5, "b", "f", 1, 1, 1), Optional.empty());
        assertEquals(List.of(5L, 4L), c.regions().stream().map(CachedRegion::id).toList());
    }

    @Test
    void olderNewsOfTheSameRegionIsIgnored() {
        RegionCache c = new RegionCache();
        c.update(region(1, "", "m", 2, 1, 1), Optional.empty());
        c.update(region(2, "m", "", 2, 1, 1), Optional.empty());
        // A lagging store still describes region 1 as before the split.
        assertFalse(c.update(region(1, "", "", 1, 1, 1), Optional.empty()));
        assertEquals(2, c.regions().size());
        assertEquals(2, regionAt(c, "x"));
        // Behind in conf_ver only: stale as well.
        c.update(region(3, "a", "b", 5, 7, 1), Optional.empty());
        assertFalse(c.update(region(3, "a", "b", 5, 6, 1), Optional.empty()));
        assertEquals(7, c.byId(3).get().region().getRegionEpoch().getConfVer());
    }

    @Test
    void aRegionThatMovedLeavesNoStaleEntryBehind() {
        RegionCache c = new RegionCache();
        c.update(region(1, "a", "g", 1, 1, 1), Optional.empty());
        c.update(region(1, "x", "z", 2, 1, 1), Optional.empty());
        assertTrue(c.find(k("b")).isEmpty());
        assertEquals(1, regionAt(c, "y"));
        assertEquals(1, c.regions().size());
    }

    @Test
    void invalidateForgetsOnlyThatRegion() {
        RegionCache c = new RegionCache();
        c.update(region(1, "", "m", 1, 1, 1), Optional.empty());
        c.update(region(2, "m", "", 1, 1, 1), Optional.empty());
        c.invalidate(1);
        c.invalidate(99);
        assertTrue(c.find(k("a")).isEmpty());
        assertTrue(c.byId(1).isEmpty());
        assertEquals(2, regionAt(c, "n"));
    }

    @Test
    void switchLeaderAndKeepingItAcrossUpdates() {
        RegionCache c = new RegionCache();
        c.update(region(1, "", "", 1, 1, 1, 2, 3), Optional.empty());
        c.switchLeader(1, Optional.of(peer(102, 2)));
        assertEquals(2, c.find(k("a")).get().leaderStoreId());
        c.update(region(1, "", "", 1, 1, 1, 2, 3), Optional.empty());
        assertEquals(2, c.find(k("a")).get().leaderStoreId(), "a look-up that knows no leader keeps ours");
        c.update(region(1, "", "", 1, 2, 1, 3), Optional.empty());
        assertEquals(0, c.find(k("a")).get().leaderStoreId(), "a leader removed from the region is forgotten");
        c.update(region(1, "", "", 1, 2, 1, 3), Optional.of(peer(103, 3)));
        assertEquals(3, c.find(k("a")).get().leaderStoreId());
        c.switchLeader(1, Optional.empty());
        assertEquals(0, c.find(k("a")).get().leaderStoreId());
        c.switchLeader(42, Optional.of(peer(1, 1)));
        assertEquals(1, c.regions().size(), "switching the leader of an unknown region adds nothing");
    }
}
