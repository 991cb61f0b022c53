package io.regionkv.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * One LMDB environment and its named databases. The write side ({@link #commit}, {@link #commitAll})
 * blocks on disk and belongs to the one writer actor of the environment; read views may be opened from any
 * thread.
 *
 * <p>A commit validates every operation first ({@link #validate}), so a batch with a bad operation changes
 * nothing. When LMDB reports the map full, the transaction is aborted, the map doubled and the whole group
 * of batches written again from the start: nothing is lost and nothing applied twice.
 */
public final class Engine implements AutoCloseable {
    private static final String DATA_FILE = "data.mdb";
    /**
     * No put flags, passed as a null array rather than an empty one: lmdbjava (0.9.x) folds a flags array
     * into LMDB's mask with a stream pipeline, allocating on every put and cursor delete, and answers 0 at
     * once only for null. The writers do several per client put (the raft-log append and, later, its
     * deletion on every replica, the kv apply), which a profile of the bench at 256 in flight put at about 4%
     * of all CPU.
     */
    private static final PutFlags[] NO_PUT_FLAGS = null;

    private final EngineKind kind;
    private final EngineConfig config;
    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Map<Db, Dbi<ByteBuffer>> dbis;
    private final int maxKeySize;
    private final ResizeGate gate = new ResizeGate();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong growths = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private volatile boolean closed;
    /** Set when commits go to the page cache only ({@link KvSync#DEFERRED}); null when every commit syncs. */
    private final UnsyncedMarker unsynced;
    /** Commits since the last sync. Guarded by "this". */
    private boolean dirty;
    /** The bound the map may grow to: {@link EngineConfig#maxMapSize()} until {@link #setMaxMapSize} moves it. */
    private volatile long maxMapSize;
    /**
     * Bytes of the map in use, as of a recent commit (see REMEASURE_NANOS): LMDB's highest page in use, times the page size. Read
     * by other threads for the free-space check before a write is proposed; computed only by the writer
     * (and at open), because asking LMDB while the writer resizes the map would read an unmapped page.
     */
    private volatile long usedBytes;
    private final long pageSize;

    // Direct buffers that carry keys and values into LMDB. Guarded by "this", like the write side itself.
    private final ByteBuffer keyScratch;
    private ByteBuffer valueScratch = ByteBuffer.allocateDirect(4096);

    private Engine(EngineKind kind, EngineConfig config, Path dir, Env<ByteBuffer> env, Map<Db, Dbi<ByteBuffer>> dbis,
            UnsyncedMarker unsynced) {
        this.kind = kind;
        this.unsynced = unsynced;
        this.config = config;
        this.dir = dir;
        this.env = env;
        this.dbis = dbis;
        this.maxKeySize = env.getMaxKeySize();
        this.keyScratch = ByteBuffer.allocateDirect(maxKeySize);
        this.maxMapSize = config.maxMapSize();
        this.pageSize = env.stat().pageSize;
        this.usedBytes = measureUsed();
    }

    /**
     * Far from its bound, the used size is re-read at most this often: {@code env.info()} allocates a
     * native struct on every call, and after every commit it was a fifth of a writer thread's samples.
     * The figure only feeds the storage guard, whose reserve (64 MiB by default) dwarfs what one
     * millisecond of commits adds; within a quarter of the bound it is read after every commit again.
     */
    private static final long REMEASURE_NANOS = 1_000_000;
    private long measuredAtNanos;

    private void measureUsedAfterCommit() {
        long now = System.nanoTime();
        if (now - measuredAtNanos >= REMEASURE_NANOS || maxMapSize - usedBytes < maxMapSize / 4) {
            usedBytes = measureUsed();
            measuredAtNanos = now;
        }
    }

    private long measureUsed() {
        return (env.info().lastPageNumber + 1) * pageSize;
    }

    /** Opens (creating if needed) the environment of {@code kind} in directory {@code dir}. */
    public static Engine open(EngineKind kind, Path dir, EngineConfig config) {
        return open(kind, dir, config, UnsyncedMarker.currentBootId());
    }

    /**
     * As {@link #open(EngineKind, Path, EngineConfig)}, as if the running kernel had boot id {@code bootId}
     * (empty: unknown). Without a boot id a deferred sync cannot tell a process crash from an OS crash, so
     * the environment then syncs every commit instead.
     */
    static Engine open(EngineKind kind, Path dir, EngineConfig config, Optional<String> bootId) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(config, "config");
        long mapSize = config.initialMapSize();
        try {
            Files.createDirectories(dir);
            Path data = dir.resolve(DATA_FILE);
            if (Files.exists(data)) {
                // LMDB would shrink the map to exactly the data size, so the first commit would find it full.
                mapSize = Math.max(mapSize, Files.size(data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare LMDB directory " + dir, e);
        }
        UnsyncedMarker marker = null;
        if (kind == EngineKind.KV && config.syncOnCommit() && config.kvSync() == KvSync.DEFERRED && bootId.isPresent()) {
            marker = new UnsyncedMarker(dir, bootId.get());
            checkNotTornByReboot(dir, marker, config);
        }
        List<EnvFlags> flags = new ArrayList<>(List.of(EnvFlags.MDB_NOTLS));
        if (!config.syncOnCommit() || marker != null) {
            flags.add(EnvFlags.MDB_NOSYNC);
        }
        // A deferred environment writes through the map: no write(2) copy of every dirty page per commit,
        // which measured as the largest single cost of a random-key put. The sync is then an msync.
        if (config.writeMap() || marker != null) {
            flags.add(EnvFlags.MDB_WRITEMAP);
        }
        Map<Db, Dbi<ByteBuffer>> dbis = new EnumMap<>(Db.class);
        for (Db db : Db.values()) {
            if (db.engine() == kind) {
                dbis.put(db, null);
            }
        }
        Env<ByteBuffer> env = Env.create()
                .setMapSize(mapSize)
                .setMaxDbs(dbis.size())
                .setMaxReaders(config.maxReaders())
                .open(dir.toFile(), flags.toArray(new EnvFlags[0]));
        try {
            for (Db db : dbis.keySet()) {
                dbis.put(db, env.openDbi(db.dbName(), DbiFlags.MDB_CREATE));
            }
            if (marker != null && marker.leftBehind().isPresent()) {
                // Commits of an earlier process (or, accepted, of an earlier boot) are in the page cache only.
                // Syncing them now lets every region count all it has applied as durable from the start
                // (its synced applied index, which raft-log GC must respect: see KvSync).
                env.sync(true);
                marker.clear();
            }
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
        return new Engine(kind, config, dir, env, dbis, marker);
    }

    private static void checkNotTornByReboot(Path dir, UnsyncedMarker marker, EngineConfig config) {
        Optional<String> markedBoot = marker.leftBehind();
        if (markedBoot.isPresent() && !markedBoot.get().equals(marker.bootId()) && !config.acceptUnsyncedAfterReboot()) {
            throw new UnsyncedDataAfterRebootException(dir, markedBoot.get(), marker.bootId());
        }
    }

    /** Whether commits reach the disk only at {@link #syncIfDirty} (see {@link KvSync#DEFERRED}). */
    public boolean syncDeferred() {
        return unsynced != null;
    }

    /**
     * With a deferred sync: makes every commit so far durable, then clears the marker. Blocks on the disk,
     * like a commit; the writer calls it when it has been idle. Without a deferred sync there is nothing to do.
     */
    public synchronized void syncIfDirty() {
        if (unsynced == null || !dirty || closed) {
            return;
        }
        env.sync(true);
        unsynced.clear();
        dirty = false;
        syncs.incrementAndGet();
    }

    /**
     * With a deferred sync: makes every commit made before the call durable WITHOUT holding back commits
     * meanwhile, so that a writer can hand it to another thread and keep committing. LMDB's
     * {@code mdb_env_sync} takes no lock (with {@code MDB_WRITEMAP} it is an {@code msync} of the map up to
     * the last page the newest meta names; without, an {@code fdatasync}), so it may run beside a write
     * transaction; only a map resize or close must not, which the resize gate keeps apart (it waits for this
     * as for a reader). The marker is cleared only if no commit came in meanwhile: a commit the sync may have
     * caught half-way must still count as unsynced after an OS crash.
     *
     * @return the commit count ({@link #commitCount()}) the sync covers, or -1 when nothing was unsynced
     */
    public long syncConcurrently() {
        return syncConcurrently(() -> {});
    }

    /**
     * {@link #syncConcurrently()}, running {@code beforeDiskSync} once the commits it covers are fixed and
     * before it touches the disk: a test holds a sync in flight there to commit beside it.
     */
    public long syncConcurrently(Runnable beforeDiskSync) {
        long covered;
        synchronized (this) {
            if (unsynced == null || !dirty || closed) {
                return -1;
            }
            covered = commits.get();
        }
        beforeDiskSync.run();
        // No monitor held here: a commit that grows the map holds it while it waits for this to leave.
        gate.enterRead();
        try {
            env.sync(true);
        } finally {
            gate.exitRead();
        }
        synchronized (this) {
            syncs.incrementAndGet();
            if (dirty && !closed && commits.get() == covered) {
                unsynced.clear();
                dirty = false;
            }
        }
        return covered;
    }

    /** How many deferred syncs ({@link #syncIfDirty} that had something to sync) happened since open. */
    public long syncCount() {
        return syncs.get();
    }

    public EngineKind kind() {
        return kind;
    }

    public EngineConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /** The longest key LMDB accepts here (511 with the bundled library). */
    public int maxKeySize() {
        return maxKeySize;
    }

    /** Transactions committed since open; a group commit counts once. */
    public long commitCount() {
        return commits.get();
    }

    /** How often the map was grown since open. */
    public long growthCount() {
        return growths.get();
    }

    /**
     * Moves the bound the map may grow to, while the store runs: an operator gives a full store room again
     * without a restart (writes resume by themselves), and tests set a small bound to fill it. A bound
     * below the current map only stops further growth; LMDB never shrinks a map.
     */
    public void setMaxMapSize(long bound) {
        if (bound < EngineConfig.MIN_MAP_SIZE) {
            throw new IllegalArgumentException("maxMapSize must be at least " + EngineConfig.MIN_MAP_SIZE + ", got " + bound);
        }
        maxMapSize = bound;
    }

    public long maxMapSize() {
        return maxMapSize;
    }

    /**
     * How many bytes the map may still take before a commit fails with {@link EngineFullException}, as of
     * the last commit. Pessimistic: LMDB reuses pages freed by deletes without lowering its highest page in
     * use, so space freed inside the file shows only as commits stop growing it.
     */
    public long headroom() {
        return maxMapSize - usedBytes;
    }

    /** The current size of the memory map in bytes. */
    public long mapSize() {
        return env.info().mapSize;
    }

    /** Opens a consistent snapshot. Close it (try-with-resources) promptly. */
    public ReadView readView() {
        ByteBuffer keyBuffer = ByteBuffer.allocateDirect(maxKeySize);
        gate.enterRead();
        try {
            if (closed) {
                throw new IllegalStateException("the " + kind.dirName() + " environment is closed");
            }
            Txn<ByteBuffer> txn = env.txnRead();
            return new ReadView(this, txn, keyBuffer);
        } catch (RuntimeException e) {
            gate.exitRead();
            throw e;
        }
    }

    /**
     * Whether the writer waits to grow the map until every read view is closed; new views wait for it too.
     * A reader that keeps one view open for long (a snapshot dump) checks this now and then and, when it
     * turns true, closes its view and starts again, so that it never holds every writer and reader back.
     */
    public boolean growthPending() {
        return gate.growthWaiting();
    }

    void readViewClosed() {
        gate.exitRead();
    }

    /**
     * Checks every operation against the limits without writing. Throws the first {@link InvalidInputException}.
     */
    public void validate(WriteBatch batch) {
        for (WriteOp op : batch.ops()) {
            if (op instanceof WriteOp.Put put) {
                checkKey(put.db(), put.key());
                if (put.db().isColumnFamily() && put.value().length > config.maxValueSize()) {
                    throw new ValueTooLargeException(put.db(), put.value().length, config.maxValueSize());
                }
            } else if (op instanceof WriteOp.Delete delete) {
                checkKey(delete.db(), delete.key());
            } else if (op instanceof WriteOp.DeleteRange range) {
                checkRange(range.db(), range.start(), range.end());
                if (range.start().length > 0 && range.end().length > 0
                        && Arrays.compareUnsigned(range.start(), range.end()) > 0) {
                    throw new InvalidRangeException(range.db(), "start " + Keys.hex(range.start())
                            + " is after end " + Keys.hex(range.end()));
                }
            }
        }
    }

    /** Validates and commits one batch atomically; answers the commit number. */
    public long commit(WriteBatch batch) {
        return commitAll(List.of(batch));
    }

    /**
     * Validates every batch, then commits them all in one transaction (one fsync), in order. If any batch is
     * invalid nothing is written. Answers the commit number ({@link #commitCount()} after this commit).
     *
     * <p>Never call it while holding an open read view: growing the map waits for every view to close.
     */
    public synchronized long commitAll(List<WriteBatch> batches) {
        if (closed) {
            throw new IllegalStateException("the " + kind.dirName() + " environment is closed");
        }
        for (WriteBatch batch : batches) {
            validate(batch);
        }
        if (unsynced != null && !dirty) {
            // Durably before the first commit the disk may not have: see UnsyncedMarker.
            unsynced.set();
            dirty = true;
        }
        while (true) {
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (WriteBatch batch : batches) {
                    for (WriteOp op : batch.ops()) {
                        apply(txn, op);
                    }
                }
                txn.commit();
                measureUsedAfterCommit();
                return commits.incrementAndGet();
            } catch (Env.MapFullException e) {
                // The transaction is gone (aborted by close, or by LMDB inside a failed commit): start over.
                grow();
            }
        }
    }

    private void apply(Txn<ByteBuffer> txn, WriteOp op) {
        Dbi<ByteBuffer> dbi = dbi(op.db());
        if (op instanceof WriteOp.Put put) {
            dbi.put(txn, keyScratch(put.key()), valueScratch(put.value()), NO_PUT_FLAGS);
        } else if (op instanceof WriteOp.Delete delete) {
            dbi.delete(txn, keyScratch(delete.key()));
        } else if (op instanceof WriteOp.DeleteRange range) {
            deleteRange(txn, dbi, range.start(), range.end());
        } else {
            throw new IllegalStateException("unknown operation " + op);
        }
    }

    private void deleteRange(Txn<ByteBuffer> txn, Dbi<ByteBuffer> dbi, byte[] start, byte[] end) {
        try (Cursor<ByteBuffer> cursor = dbi.openCursor(txn)) {
            boolean found = start.length == 0 ? cursor.first() : cursor.get(keyScratch(start), GetOp.MDB_SET_RANGE);
            while (found) {
                if (end.length > 0 && compare(cursor.key(), end) >= 0) {
                    return;
                }
                cursor.delete(NO_PUT_FLAGS);
                // After a delete LMDB leaves the cursor on the successor; MDB_NEXT returns it without moving.
                found = cursor.next();
            }
        }
    }

    private void grow() {
        long current = env.info().mapSize;
        long bound = maxMapSize;
        if (current >= bound) {
            throw new EngineFullException(kind, current, bound);
        }
        long next = Math.min(bound, current * 2);
        gate.exclusive(() -> env.setMapSize(next));
        growths.incrementAndGet();
    }

    private ByteBuffer keyScratch(byte[] key) {
        keyScratch.clear();
        keyScratch.put(key).flip();
        return keyScratch;
    }

    private ByteBuffer valueScratch(byte[] value) {
        if (valueScratch.capacity() < value.length) {
            valueScratch = ByteBuffer.allocateDirect(Math.max(value.length, valueScratch.capacity() * 2));
        }
        valueScratch.clear();
        valueScratch.put(value).flip();
        return valueScratch;
    }

    /** Unsigned comparison of the bytes of {@code a} (position to limit) with {@code b}. */
    private static int compare(ByteBuffer a, byte[] b) {
        int n = Math.min(a.remaining(), b.length);
        int base = a.position();
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(a.get(base + i) & 0xFF, b[i] & 0xFF);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.remaining(), b.length);
    }

    Dbi<ByteBuffer> dbi(Db db) {
        checkDb(db);
        return dbis.get(db);
    }

    void checkDb(Db db) {
        Objects.requireNonNull(db, "db");
        if (db.engine() != kind) {
            throw new WrongEngineException(db, kind);
        }
    }

    void checkKey(Db db, byte[] key) {
        checkDb(db);
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new EmptyKeyException(db);
        }
        if (key.length > maxKeySize) {
            throw new KeyTooLongException(db, key.length, maxKeySize);
        }
    }

    void checkRange(Db db, byte[] start, byte[] end) {
        checkDb(db);
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (start.length > maxKeySize) {
            throw new KeyTooLongException(db, start.length, maxKeySize);
        }
        if (end.length > maxKeySize) {
            throw new KeyTooLongException(db, end.length, maxKeySize);
        }
    }

    /** Syncs deferred commits, then closes the environment once every read view is closed (it waits for them). */
    @Override
    public void close() {
        RuntimeException syncFailure = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                syncIfDirty();
            } catch (RuntimeException e) {
                // Close anyway; the marker stays, so an OS crash before the data reaches the disk is caught.
                syncFailure = e;
            }
            closed = true;
        }
        gate.exclusive(env::close);
        if (syncFailure != null) {
            throw syncFailure;
        }
    }

    @Override
    public String toString() {
        return "Engine[" + kind.dirName() + " at " + dir + "]";
    }
}
