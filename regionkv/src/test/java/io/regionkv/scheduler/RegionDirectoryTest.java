package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The directory's look-ups and TinyKV's staleness rules for heartbeats. */
class RegionDirectoryTest {

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static Region region(long id, String start, String end, long version, long confVer) {
        return Region.newBuilder().setId(id).setStartKey(b(start)).setEndKey(b(end))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(version).setConfVer(confVer))
                .addPeers(Peer.newBuilder().setId(id * 10).setStoreId(1)).build();
    }

    private static void heartbeat(RegionDirectory d, Region r) {
        assertNull(d.staleReason(r), "expected " + r.getId() + " to be accepted");
        d.put(new RegionDirectory.Entry(r, r.getPeers(0), 0, 0, List.of(), List.of()));
    }

    @Test
    void splitHalvesReplaceTheParentAndAStaleParentIsRejected() {
        RegionDirectory d = new RegionDirectory();
        heartbeat(d, region(1, "", "", 1, 1));
        assertEquals(1, d.byKey(b("zzz")).orElseThrow().region().getId());
        // The split: the left half keeps id 1 at version 2, the right is new.
        heartbeat(d, region(1, "", "m", 2, 1));
        assertTrue(d.byKey(b("x")).isEmpty(), "the right half is unknown until it reports");
        heartbeat(d, region(7, "m", "", 2, 1));
        assertEquals(7, d.byKey(b("x")).orElseThrow().region().getId());
        assertEquals(1, d.byKey(b("a")).orElseThrow().region().getId());
        assertEquals(2, d.size());

        // A lagging leader of the old whole region: older than id 1, and older than overlapping 7.
        assertNotNull(d.staleReason(region(1, "", "", 1, 1)));
        assertNotNull(d.staleReason(region(9, "k", "p", 1, 5)), "version behind an overlapping region");
        assertNotNull(d.staleReason(region(9, "k", "p", 5, 0)), "conf_ver behind an overlapping region");
        assertEquals(List.of(1L, 7L), d.scan(ByteString.EMPTY, ByteString.EMPTY, 10).stream()
                .map(e -> e.region().getId()).toList());
        assertEquals(List.of(7L), d.scan(b("m"), ByteString.EMPTY, 10).stream().map(e -> e.region().getId()).toList());
        assertEquals(List.of(1L), d.scan(ByteString.EMPTY, ByteString.EMPTY, 1).stream().map(e -> e.region().getId()).toList());
        assertEquals(7, d.byId(7).orElseThrow().region().getId());
    }

    @Test
    void aNewerRegionReplacesEveryRegionItOverlaps() {
        RegionDirectory d = new RegionDirectory();
        heartbeat(d, region(1, "", "g", 2, 1));
        heartbeat(d, region(2, "g", "p", 2, 1));
        heartbeat(d, region(3, "p", "", 2, 1));
        heartbeat(d, region(4, "f", "q", 3, 1)); // say, after merges elsewhere
        assertEquals(List.of(4L), d.scan(ByteString.EMPTY, ByteString.EMPTY, 10).stream()
                .map(e -> e.region().getId()).toList());
        assertTrue(d.byKey(b("a")).isEmpty());
    }
}
