package io.regionkv.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EngineTest {
    private static final EngineConfig FAST = EngineConfig.defaults().withSyncOnCommit(false);

    @TempDir
    Path dir;

    private Engine kv;
    private long seed;
    private Random random;

    @BeforeEach
    void setUp() {
        seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("EngineTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
        random = new Random(seed);
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), FAST);
    }

    @AfterEach
    void tearDown() {
        kv.close();
    }

    @Test
    void putGetDeleteAcrossColumnFamiliesAndMeta() {
        kv.commit(new WriteBatch()
                .put(Db.DEFAULT, b("a"), b("1"))
                .put(Db.LOCK, b("a"), b("2"))
                .put(Db.WRITE, b("a"), b("3"))
                .put(Db.META, Keys.storeIdentKey(), b("ident")));
        try (ReadView view = kv.readView()) {
            assertArrayEquals(b("1"), view.get(Db.DEFAULT, b("a")));
            assertArrayEquals(b("2"), view.get(Db.LOCK, b("a")));
            assertArrayEquals(b("3"), view.get(Db.WRITE, b("a")));
            assertArrayEquals(b("ident"), view.get(Db.META, Keys.storeIdentKey()));
            assertNull(view.get(Db.DEFAULT, b("b")));
        }
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("a"), b("1'")).delete(Db.LOCK, b("a")).delete(Db.LOCK, b("zz")));
        try (ReadView view = kv.readView()) {
            assertArrayEquals(b("1'"), view.get(Db.DEFAULT, b("a")));
            assertNull(view.get(Db.LOCK, b("a")));
            assertArrayEquals(b("3"), view.get(Db.WRITE, b("a")));
        }
    }

    @Test
    void operationsApplyInBatchOrder() {
        kv.commit(new WriteBatch()
                .put(Db.DEFAULT, b("k"), b("first"))
                .delete(Db.DEFAULT, b("k"))
                .put(Db.DEFAULT, b("k"), b("last"))
                .put(Db.DEFAULT, b("r1"), b("x"))
                .deleteRange(Db.DEFAULT, b("r"), b("s"))
                .put(Db.DEFAULT, b("r2"), b("y")));
        try (ReadView view = kv.readView()) {
            assertArrayEquals(b("last"), view.get(Db.DEFAULT, b("k")));
            assertNull(view.get(Db.DEFAULT, b("r1")));
            assertArrayEquals(b("y"), view.get(Db.DEFAULT, b("r2")));
        }
    }

    @Test
    void readViewIsAConsistentSnapshot() {
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("a"), b("old")));
        try (ReadView view = kv.readView()) {
            kv.commit(new WriteBatch().put(Db.DEFAULT, b("a"), b("new")).put(Db.DEFAULT, b("b"), b("new")));
            assertArrayEquals(b("old"), view.get(Db.DEFAULT, b("a")));
            assertNull(view.get(Db.DEFAULT, b("b")));
            assertEquals(1, view.scan(Db.DEFAULT, new byte[0], new byte[0], 10).size());
        }
        try (ReadView view = kv.readView()) {
            assertArrayEquals(b("new"), view.get(Db.DEFAULT, b("a")));
        }
    }

    @Test
    void readViewWorksFromAnotherThread() throws Exception {
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("a"), b("1")));
        ReadView view = kv.readView();
        AtomicReference<byte[]> seen = new AtomicReference<>();
        Thread other = new Thread(() -> {
            seen.set(view.get(Db.DEFAULT, b("a")));
            view.close();
        });
        other.start();
        other.join(10_000);
        assertArrayEquals(b("1"), seen.get());
        assertThrows(IllegalStateException.class, () -> view.get(Db.DEFAULT, b("a")));
    }

    @Test
    void scansWithBoundsAndLimitInBothDirections() {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 20; i += 2) {
            batch.put(Db.WRITE, key(i), b("v" + i));
        }
        kv.commit(batch);
        try (ReadView view = kv.readView()) {
            assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18), ids(view.scan(Db.WRITE, new byte[0], new byte[0], 100)));
            assertEquals(List.of(4, 6, 8), ids(view.scan(Db.WRITE, key(3), key(9), 100)));
            assertEquals(List.of(4, 6), ids(view.scan(Db.WRITE, key(4), key(8), 100)), "start inclusive, end exclusive");
            assertEquals(List.of(4, 6), ids(view.scan(Db.WRITE, key(3), new byte[0], 2)));
            assertEquals(List.of(), ids(view.scan(Db.WRITE, key(3), new byte[0], 0)));
            assertEquals(List.of(), ids(view.scan(Db.WRITE, key(9), key(3), 10)), "start after end is empty");
            assertEquals(List.of(), ids(view.scan(Db.WRITE, key(19), new byte[0], 10)));
            assertEquals(List.of(18, 16, 14, 12, 10, 8, 6, 4, 2, 0), ids(view.scanBackward(Db.WRITE, new byte[0], new byte[0], 100)));
            assertEquals(List.of(6, 4), ids(view.scanBackward(Db.WRITE, key(4), key(8), 100)), "same range backward");
            assertEquals(List.of(8, 6), ids(view.scanBackward(Db.WRITE, key(3), key(9), 2)));
            assertEquals(List.of(18, 16), ids(view.scanBackward(Db.WRITE, key(15), key(99), 10)), "end past every key");
            assertEquals(List.of(2, 0), ids(view.scanBackward(Db.WRITE, new byte[0], key(3), 10)));
            assertEquals(List.of(), ids(view.scanBackward(Db.WRITE, new byte[0], key(0), 10)), "end below every key");
            assertEquals(List.of(), ids(view.scan(Db.LOCK, new byte[0], new byte[0], 10)), "other column family is empty");
            assertThrows(IllegalArgumentException.class, () -> view.scan(Db.WRITE, key(1), key(2), -1));
        }
    }

    @Test
    void randomScansMatchASortedMap() {
        NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 2_000; i++) {
            byte[] k = randomKey();
            byte[] v = b("v" + i);
            model.put(k, v);
            batch.put(Db.DEFAULT, k, v);
        }
        kv.commit(batch);
        try (ReadView view = kv.readView()) {
            for (int round = 0; round < 300; round++) {
                byte[] start = random.nextInt(5) == 0 ? new byte[0] : randomKey();
                byte[] end = random.nextInt(5) == 0 ? new byte[0] : randomKey();
                int limit = random.nextInt(50);
                NavigableMap<byte[], byte[]> range = subMap(model, start, end);
                List<byte[]> forward = new ArrayList<>(range.keySet()).subList(0, Math.min(limit, range.size()));
                List<byte[]> backward = new ArrayList<>(range.descendingKeySet()).subList(0, Math.min(limit, range.size()));
                assertKeys(forward, view.scan(Db.DEFAULT, start, end, limit), "forward round " + round);
                assertKeys(backward, view.scanBackward(Db.DEFAULT, start, end, limit), "backward round " + round);
            }
        }
    }

    @Test
    void deleteRangeRemovesExactlyTheRange() {
        NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 5_000; i++) {
            byte[] k = randomKey();
            model.put(k, k);
            batch.put(Db.LOCK, k, k);
        }
        kv.commit(batch);
        for (int round = 0; round < 30; round++) {
            byte[] start = random.nextInt(10) == 0 ? new byte[0] : randomKey();
            byte[] end = random.nextInt(10) == 0 ? new byte[0] : randomKey();
            if (start.length > 0 && end.length > 0 && Arrays.compareUnsigned(start, end) > 0) {
                byte[] t = start;
                start = end;
                end = t;
            }
            subMap(model, start, end).clear();
            kv.commit(new WriteBatch().deleteRange(Db.LOCK, start, end));
            try (ReadView view = kv.readView()) {
                assertKeys(new ArrayList<>(model.keySet()), view.scan(Db.LOCK, new byte[0], new byte[0], Integer.MAX_VALUE),
                        "after round " + round);
            }
        }
        kv.commit(new WriteBatch().deleteRange(Db.LOCK, KeySpan.ALL));
        try (ReadView view = kv.readView()) {
            assertEquals(0, view.count(Db.LOCK, KeySpan.ALL));
        }
    }

    @ParameterizedTest(name = "writeMap={0}")
    @ValueSource(booleans = {false, true})
    void mapGrowsUnderLoadWhileReadersRun(boolean writeMap) throws Exception {
        kv.close();
        EngineConfig tiny = FAST.withInitialMapSize(64 * 1024).withWriteMap(writeMap);
        kv = Engine.open(EngineKind.KV, dir.resolve("tiny"), tiny);
        long initial = kv.mapSize();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread reader = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        try (ReadView view = kv.readView()) {
                            // Every batch below is whole or absent: count is a multiple of 3.
                            long n = view.count(Db.DEFAULT, KeySpan.ALL);
                            if (n % 3 != 0) {
                                throw new AssertionError("partial batch visible: " + n + " keys");
                            }
                        }
                    }
                } catch (Throwable t) {
                    readerFailure.set(t);
                }
            });
            reader.start();
            readers.add(reader);
        }
        int batches = 600;
        for (int i = 0; i < batches; i++) {
            byte[] value = new byte[1 + random.nextInt(4096)];
            random.nextBytes(value);
            kv.commit(new WriteBatch()
                    .put(Db.DEFAULT, key(3 * i), value)
                    .put(Db.DEFAULT, key(3 * i + 1), value)
                    .put(Db.DEFAULT, key(3 * i + 2), value));
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join(30_000);
        }
        if (readerFailure.get() != null) {
            throw new AssertionError("reader failed", readerFailure.get());
        }
        assertTrue(kv.growthCount() >= 3, "map grew only " + kv.growthCount() + " times");
        assertTrue(kv.mapSize() > initial);
        assertEquals(kv.commitCount(), batches, "each batch committed exactly once");
        try (ReadView view = kv.readView()) {
            assertEquals(3L * batches, view.count(Db.DEFAULT, KeySpan.ALL));
        }
        // Reopen with the same tiny initial size: the data stays and writing goes on.
        kv.close();
        kv = Engine.open(EngineKind.KV, dir.resolve("tiny"), tiny);
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("after-reopen"), new byte[8192]));
        try (ReadView view = kv.readView()) {
            assertEquals(3L * batches + 1, view.count(Db.DEFAULT, KeySpan.ALL));
        }
    }

    @Test
    void aFullMapThatCannotGrowFailsAndChangesNothing() {
        kv.close();
        kv = Engine.open(EngineKind.KV, dir.resolve("capped"),
                FAST.withInitialMapSize(128 * 1024).withMaxMapSize(256 * 1024));
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("small"), b("x")));
        WriteBatch huge = new WriteBatch();
        for (int i = 0; i < 100; i++) {
            huge.put(Db.DEFAULT, key(i), new byte[8 * 1024]);
        }
        EngineFullException e = assertThrows(EngineFullException.class, () -> kv.commit(huge));
        assertTrue(e.getMessage().contains("262144"), e.getMessage());
        try (ReadView view = kv.readView()) {
            assertEquals(1, view.count(Db.DEFAULT, KeySpan.ALL));
        }
        kv.commit(new WriteBatch().put(Db.DEFAULT, b("still-works"), b("y")));
    }

    @Test
    void everyLimitIsCheckedAndTheBatchChangesNothing() {
        int maxKey = kv.maxKeySize();
        assertEquals(Keys.LMDB_MAX_KEY_SIZE, maxKey);
        int maxValue = kv.config().maxValueSize();

        KeyTooLongException tooLong = assertRejected(KeyTooLongException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).put(Db.WRITE, new byte[maxKey + 1], b("v")));
        assertEquals(maxKey + 1, tooLong.size());
        assertEquals(maxKey, tooLong.limit());
        assertTrue(tooLong.getMessage().contains("512") && tooLong.getMessage().contains("511"), tooLong.getMessage());

        assertRejected(KeyTooLongException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).delete(Db.LOCK, new byte[maxKey + 1]));
        assertRejected(KeyTooLongException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).deleteRange(Db.LOCK, b("a"), new byte[maxKey + 1]));
        assertRejected(EmptyKeyException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).put(Db.DEFAULT, new byte[0], b("v")));
        assertRejected(EmptyKeyException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).delete(Db.META, new byte[0]));

        ValueTooLargeException tooLarge = assertRejected(ValueTooLargeException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).put(Db.DEFAULT, b("big"), new byte[maxValue + 1]));
        assertTrue(tooLarge.getMessage().contains(String.valueOf(maxValue + 1))
                && tooLarge.getMessage().contains(String.valueOf(maxValue)), tooLarge.getMessage());

        assertRejected(WrongEngineException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).put(Db.RAFT, Keys.raftLogKey(1, 1), b("e")));
        assertRejected(InvalidRangeException.class,
                new WriteBatch().put(Db.DEFAULT, b("good"), b("v")).deleteRange(Db.DEFAULT, b("z"), b("a")));

        // The key limit is exact, and values at the limit pass; meta values are not bound by it.
        kv.commit(new WriteBatch()
                .put(Db.DEFAULT, new byte[maxKey], new byte[maxValue])
                .put(Db.META, b("meta"), new byte[maxValue + 1]));
        try (ReadView view = kv.readView()) {
            assertEquals(maxValue, view.get(Db.DEFAULT, new byte[maxKey]).length);
            assertThrows(KeyTooLongException.class, () -> view.get(Db.DEFAULT, new byte[maxKey + 1]));
            assertThrows(EmptyKeyException.class, () -> view.get(Db.DEFAULT, new byte[0]));
            assertThrows(WrongEngineException.class, () -> view.get(Db.RAFT, b("x")));
            assertThrows(KeyTooLongException.class, () -> view.scan(Db.DEFAULT, new byte[maxKey + 1], new byte[0], 1));
        }
    }

    @Test
    void oneBadBatchInAGroupCommitsNothing() {
        WriteBatch good = new WriteBatch().put(Db.DEFAULT, b("good"), b("v"));
        WriteBatch bad = new WriteBatch().put(Db.DEFAULT, new byte[0], b("v"));
        assertThrows(EmptyKeyException.class, () -> kv.commitAll(List.of(good, bad)));
        try (ReadView view = kv.readView()) {
            assertEquals(0, view.count(Db.DEFAULT, KeySpan.ALL));
        }
        assertEquals(0, kv.commitCount());
        assertEquals(1, kv.commitAll(List.of(good, new WriteBatch().put(Db.LOCK, b("l"), b("w")))));
    }

    @Test
    void reopenKeepsData() {
        kv.close();
        io.regionkv.proto.Eraftpb.Entry entry = io.regionkv.proto.Eraftpb.Entry.newBuilder().setIndex(6).setTerm(5).build();
        for (io.regionkv.engine.raftlog.RaftLogLayout layout : io.regionkv.engine.raftlog.RaftLogLayout.values()) {
            EngineConfig config = EngineConfig.defaults().withRaftLog(layout);
            Path store = dir.resolve("store-" + layout);
            try (Engines engines = Engines.open(store, config)) {
                engines.kv().commit(new WriteBatch().put(Db.DEFAULT, b("k"), b("v")).put(Db.META, Keys.applyStateKey(7), b("s")));
                engines.raftLog().commitAll(List.of(new io.regionkv.engine.raftlog.RaftLogBatch().append(7, List.of(entry))));
            }
            try (Engines engines = Engines.open(store, config)) {
                try (ReadView view = engines.kv().readView()) {
                    assertArrayEquals(b("v"), view.get(Db.DEFAULT, b("k")));
                    assertArrayEquals(b("s"), view.get(Db.META, Keys.applyStateKey(7)));
                }
                assertEquals(List.of(entry), engines.raftLog().entries(7, 6, 7, Long.MAX_VALUE));
            }
            assertTrue(store.resolve(layout.dirName()).toFile().isDirectory(), layout + " keeps its raft log in its directory");
            assertTrue(store.resolve("kv").resolve("data.mdb").toFile().exists());
        }
        kv = Engine.open(EngineKind.KV, dir.resolve("kv"), FAST);
    }

    @Test
    void closedEngineRefusesWork() {
        Engine raft = Engine.open(EngineKind.RAFT, dir.resolve("raft"), FAST);
        raft.close();
        raft.close();
        assertThrows(IllegalStateException.class, raft::readView);
        assertThrows(IllegalStateException.class, () -> raft.commit(new WriteBatch()));
    }

    private <E extends InvalidInputException> E assertRejected(Class<E> type, WriteBatch batch) {
        long commitsBefore = kv.commitCount();
        long keysBefore;
        try (ReadView view = kv.readView()) {
            keysBefore = view.count(Db.DEFAULT, KeySpan.ALL);
        }
        E error = assertThrows(type, () -> kv.commit(batch));
        assertThrows(type, () -> kv.validate(batch));
        assertEquals(commitsBefore, kv.commitCount());
        try (ReadView view = kv.readView()) {
            assertNull(view.get(Db.DEFAULT, b("good")), "the good operation of a rejected batch landed");
            assertEquals(keysBefore, view.count(Db.DEFAULT, KeySpan.ALL));
        }
        return error;
    }

    private static NavigableMap<byte[], byte[]> subMap(NavigableMap<byte[], byte[]> model, byte[] start, byte[] end) {
        NavigableMap<byte[], byte[]> m = start.length == 0 ? model : model.tailMap(start, true);
        if (end.length > 0) {
            if (start.length > 0 && Arrays.compareUnsigned(start, end) >= 0) {
                return new TreeMap<>(Arrays::compareUnsigned);
            }
            m = m.headMap(end, false);
        }
        return m;
    }

    private byte[] randomKey() {
        byte[] k = new byte[1 + random.nextInt(6)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (random.nextInt(8) * 37); // few distinct bytes: prefixes and duplicates happen
        }
        return k;
    }

    private static void assertKeys(List<byte[]> expected, List<KeyValue> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i).key(), what + ": key " + i);
        }
    }

    private static List<Integer> ids(List<KeyValue> kvs) {
        List<Integer> out = new ArrayList<>();
        for (KeyValue kv : kvs) {
            out.add(Integer.parseInt(new String(kv.key(), UTF_8).substring(1)));
        }
        return out;
    }

    private static byte[] key(int i) {
        return String.format("k%05d", i).getBytes(UTF_8);
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }
}
