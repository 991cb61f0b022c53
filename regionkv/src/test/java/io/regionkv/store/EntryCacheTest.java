package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.raft.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EntryCacheTest {

    private static Entry entry(long index, long term, int bytes) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFrom(new byte[bytes])).build();
    }

    private static List<Entry> run(long from, long to, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(entry(i, term, 10));
        return out;
    }

    @Test
    void answersOnlyARangeItHoldsWhole() {
        EntryCache cache = new EntryCache();
        assertNull(cache.slice(1, 2, Long.MAX_VALUE), "empty");
        cache.persisted(run(5, 9, 1));
        assertEquals(run(5, 9, 1), cache.slice(5, 10, Long.MAX_VALUE));
        assertEquals(run(6, 7, 1), cache.slice(6, 8, Long.MAX_VALUE));
        assertNull(cache.slice(4, 6, Long.MAX_VALUE), "starts before the cache");
        assertNull(cache.slice(8, 11, Long.MAX_VALUE), "ends after the cache");
        List<Entry> cut = cache.slice(5, 10, run(5, 6, 1).stream().mapToLong(Entry::getSerializedSize).sum());
        assertEquals(run(5, 6, 1), cut, "cut as Storage.limitSize cuts");
        assertEquals(run(5, 5, 1), cache.slice(5, 10, 1), "at least one entry");
    }

    @Test
    void anAppendOverAConflictingTailReplacesIt() {
        EntryCache cache = new EntryCache();
        cache.persisted(run(5, 9, 1));
        cache.persisted(run(7, 8, 2));
        assertEquals(8, cache.lastIndex(), "the old entry 9 is gone with the tail it belonged to");
        List<Entry> expected = new ArrayList<>(run(5, 6, 1));
        expected.addAll(run(7, 8, 2));
        assertEquals(expected, cache.slice(5, 9, Long.MAX_VALUE));
        cache.persisted(run(3, 4, 3));
        assertEquals(run(3, 4, 3), cache.slice(3, 5, Long.MAX_VALUE), "a run from before the cache starts it again");
        assertNull(cache.slice(5, 6, Long.MAX_VALUE));
        cache.persisted(run(9, 9, 3));
        assertNull(cache.slice(3, 5, Long.MAX_VALUE), "a gap: the cache restarted at 9 and holds only it");
        assertEquals(run(9, 9, 3), cache.slice(9, 10, Long.MAX_VALUE));
        assertEquals(9, cache.firstIndex());
    }

    @Test
    void appliedEntriesAndEntriesBeyondTheBoundGo() {
        EntryCache cache = new EntryCache();
        cache.persisted(run(1, 100, 1));
        cache.dropThrough(60);
        assertEquals(61, cache.firstIndex());
        assertNull(cache.slice(60, 62, Long.MAX_VALUE));
        cache.dropThrough(200);
        assertTrue(cache.isEmpty());
        List<Entry> big = new ArrayList<>();
        for (long i = 1; i <= 40; i++) big.add(entry(i, 1, 64 * 1024));
        cache.persisted(big);
        assertTrue(cache.bytes() <= EntryCache.MAX_BYTES, "bounded: " + cache.bytes());
        assertEquals(40, cache.lastIndex(), "the newest entries stay");
    }

    /**
     * A log as raft writes it (appends that may overwrite a tail, applies that move forward) against the
     * cache: whatever the cache answers is what the log holds.
     */
    @Test
    void whateverItAnswersIsWhatTheLogHolds() {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("EntryCacheTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        EntryCache cache = new EntryCache();
        TreeMap<Long, Entry> log = new TreeMap<>();
        long applied = 0;
        long term = 1;
        int hits = 0;
        for (int step = 0; step < 20_000; step++) {
            int action = random.nextInt(10);
            long last = log.isEmpty() ? applied : log.lastKey();
            if (action < 5) {
                if (random.nextInt(8) == 0) term++;
                long from = Math.max(applied + 1, last + 1 - random.nextInt(4)); // sometimes over a tail
                List<Entry> written = new ArrayList<>();
                for (long i = from; i < from + 1 + random.nextInt(6); i++) {
                    written.add(entry(i, term, 1 + random.nextInt(30_000)));
                }
                log.tailMap(from, true).clear();
                written.forEach(e -> log.put(e.getIndex(), e));
                cache.persisted(written);
            } else if (action < 7 && last > applied) {
                applied += 1 + random.nextInt((int) (last - applied));
                log.headMap(applied, true).clear();
                cache.dropThrough(applied);
            } else if (action == 7 && random.nextInt(50) == 0) {
                cache.clear();
            } else if (!log.isEmpty()) {
                long lo = log.firstKey() + random.nextInt((int) (log.lastKey() - log.firstKey() + 1));
                long hi = lo + 1 + random.nextInt((int) (log.lastKey() - lo + 1));
                long max = random.nextBoolean() ? Long.MAX_VALUE : random.nextInt(100_000);
                List<Entry> got = cache.slice(lo, hi, max);
                if (got != null) {
                    hits++;
                    List<Entry> expected = Storage.limitSize(new ArrayList<>(log.subMap(lo, hi).values()), max);
                    assertEquals(expected, got, "seed " + seed + " step " + step + " [" + lo + ", " + hi + ")");
                }
            }
            assertTrue(cache.bytes() <= EntryCache.MAX_BYTES || cache.size() == 1, "seed " + seed + ": bounded");
        }
        assertTrue(hits > 1000, "seed " + seed + ": the cache answered often enough to be checked (" + hits + ")");
    }
}
