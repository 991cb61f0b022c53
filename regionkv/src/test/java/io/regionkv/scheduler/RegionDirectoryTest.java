package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The directory's look-ups and TinyKV's staleness rules for heartbeats (its 3C region-heartbeat cases:
 * unchanged, newer version or conf_ver, stale against the same or an overlapping region, pending peers,
 * peers removed and added back, leader and size changes, counts and listings, a split whose new half
 * reports first, split then merge, heartbeats interleaved in any order).
 */
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

    private static Region withPeers(Region r, long confVer, long... stores) {
        Region.Builder b = r.toBuilder().clearPeers()
                .setRegionEpoch(r.getRegionEpoch().toBuilder().setConfVer(confVer));
        for (long st : stores) b.addPeers(Peer.newBuilder().setId(r.getId() * 10 + st).setStoreId(st));
        return b.build();
    }

    private static void report(RegionDirectory d, Region r, long leaderStore, long size, List<Peer> pending) {
        assertNull(d.staleReason(r), "expected " + r.getId() + " to be accepted");
        Peer leader = r.getPeersList().stream().filter(p -> p.getStoreId() == leaderStore).findFirst().orElseThrow();
        d.put(new RegionDirectory.Entry(r, leader, size, size / 10, pending, List.of()));
    }

    @Test
    void aHeartbeatReplacesTheEntryOnlyWithAnEqualOrNewerEpoch3C() {
        RegionDirectory d = new RegionDirectory();
        Region r = withPeers(region(1, "", "", 1, 1), 1, 1, 2, 3);
        report(d, r, 1, 100, List.of());
        RegionDirectory.Entry first = d.byId(1).orElseThrow();
        // Unchanged: the same entry again, nothing else moves.
        report(d, r, 1, 100, List.of());
        assertEquals(first, d.byId(1).orElseThrow());
        assertEquals(1, d.size());
        // A newer version (a split elsewhere in it) and a newer conf_ver each replace it.
        Region v2 = r.toBuilder().setRegionEpoch(RegionEpoch.newBuilder().setVersion(2).setConfVer(1)).build();
        report(d, v2, 1, 100, List.of());
        assertEquals(2, d.byId(1).orElseThrow().region().getRegionEpoch().getVersion());
        Region c2 = withPeers(v2, 2, 1, 2);
        report(d, c2, 1, 100, List.of());
        assertEquals(2, d.byId(1).orElseThrow().region().getPeersCount());
        // Stale in either counter against the same region: refused, the entry stays.
        assertNotNull(d.staleReason(r), "older version and conf_ver");
        assertNotNull(d.staleReason(withPeers(v2, 1, 1, 2, 3)), "older conf_ver");
        assertNotNull(d.staleReason(c2.toBuilder().setRegionEpoch(RegionEpoch.newBuilder().setVersion(1)
                .setConfVer(2)).build()), "older version");
        assertEquals(c2, d.byId(1).orElseThrow().region());
    }

    @Test
    void pendingPeersMembersLeaderAndSizeFollowTheLatestHeartbeat3C() {
        RegionDirectory d = new RegionDirectory();
        Region r = withPeers(region(1, "", "m", 1, 1), 1, 1, 2, 3);
        Region s = withPeers(region(2, "m", "", 1, 1), 1, 1, 2, 3);
        report(d, r, 1, 100, List.of());
        report(d, s, 1, 50, List.of());
        assertEquals(Map.of(1L, 2), d.leaderCounts());
        // A pending peer appears, then catches up.
        report(d, r, 1, 100, List.of(r.getPeers(2)));
        assertEquals(List.of(r.getPeers(2)), d.byId(1).orElseThrow().pendingPeers());
        report(d, r, 1, 100, List.of());
        assertTrue(d.byId(1).orElseThrow().pendingPeers().isEmpty());
        // A peer removed, then added back (each a conf change).
        Region removed = withPeers(r, 2, 1, 2);
        report(d, removed, 1, 100, List.of());
        assertEquals(2, d.byId(1).orElseThrow().region().getPeersCount());
        Region back = withPeers(r, 3, 1, 2, 3);
        report(d, back, 1, 100, List.of());
        assertEquals(3, d.byId(1).orElseThrow().region().getPeersCount());
        // The leader moves, the size grows: counts and listings follow.
        report(d, back, 2, 300, List.of());
        assertEquals(2, d.byId(1).orElseThrow().leader().getStoreId());
        assertEquals(300, d.byId(1).orElseThrow().approximateSize());
        assertEquals(Map.of(1L, 1, 2L, 1), d.leaderCounts());
        assertEquals(List.of(1L, 2L), d.scan(ByteString.EMPTY, ByteString.EMPTY, 10).stream()
                .map(e -> e.region().getId()).toList());
        assertEquals(2, d.byKey(b("z")).orElseThrow().region().getId());
    }

    @Test
    void theNewHalfOfASplitMayReportBeforeTheOldRegion3C() {
        RegionDirectory d = new RegionDirectory();
        heartbeat(d, region(1, "", "", 1, 1));
        // The split made 1 = ["", m) and 7 = [m, ""), both at version 2; 7's leader reports first.
        heartbeat(d, region(7, "m", "", 2, 1));
        assertEquals(7, d.byKey(b("x")).orElseThrow().region().getId());
        assertTrue(d.byKey(b("a")).isEmpty(), "the whole old region was dropped: it overlapped a newer one");
        // The old region's leader, not yet applying the split, is stale against 7.
        assertNotNull(d.staleReason(region(1, "", "", 1, 1)));
        heartbeat(d, region(1, "", "m", 2, 1));
        assertEquals(1, d.byKey(b("a")).orElseThrow().region().getId());
        assertEquals(2, d.size());
    }

    /**
     * TinyKV's concurrent heartbeat streams: the leaders of a region's successive splits report in any
     * order (every version of every region, shuffled); whatever the order, the staleness rule leaves
     * exactly the newest regions, tiling the key space.
     */
    @Test
    void heartbeatsInterleavedInAnyOrderLeaveTheNewestRegions3C() {
        long seed = Long.getLong("regionkv.test.seed", System.nanoTime());
        System.out.println("heartbeatsInterleavedInAnyOrderLeaveTheNewestRegions3C: seed " + seed
                + " (replay with -Dregionkv.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            // Split the key space at random letters, always splitting a random current region in two.
            List<Region> current = new ArrayList<>(List.of(region(1, "", "", 1, 1)));
            List<Region> all = new ArrayList<>(current);
            long nextId = 2;
            for (int split = 0; split < 8; split++) {
                Region parent = current.get(random.nextInt(current.size()));
                String lo = parent.getStartKey().toStringUtf8();
                String hi = parent.getEndKey().toStringUtf8();
                String at = lo + (char) ('a' + random.nextInt(26));
                if (!hi.isEmpty() && at.compareTo(hi) >= 0 || at.equals(lo)) continue;
                long v = parent.getRegionEpoch().getVersion() + 1;
                Region left = region(parent.getId(), lo, at, v, 1);
                Region right = region(nextId++, at, hi, v, 1);
                current.remove(parent);
                current.add(left);
                current.add(right);
                all.add(left);
                all.add(right);
            }
            Collections.shuffle(all, random);
            RegionDirectory d = new RegionDirectory();
            for (Region r : all) {
                if (d.staleReason(r) == null) d.put(new RegionDirectory.Entry(r, r.getPeers(0), 0, 0, List.of(), List.of()));
            }
            List<Region> want = current.stream().sorted((a, c) -> a.getStartKey().toStringUtf8()
                    .compareTo(c.getStartKey().toStringUtf8())).toList();
            assertEquals(want, d.scan(ByteString.EMPTY, ByteString.EMPTY, 100).stream()
                    .map(RegionDirectory.Entry::region).toList(), "seed " + seed + ", trial " + trial);
        }
    }
}
