import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * What one synced raft-log commit costs in two layouts, measured on this machine's disk: the raft-log
 * environment's (one LMDB B-tree keyed by region and index, written by copy-on-write pages) and an
 * append-only file (each commit's entries written once, after the previous commit's, then fdatasync).
 * Prints the CPU of the committing thread, the wall time and the bytes it wrote per commit and per entry.
 *
 * <p>Not RegionKV's code: it writes keys of the same shape as {@code Keys.raftLogKey} (prefix, region,
 * suffix, index; big-endian), a per-region state key with each region's write, and deletes the oldest
 * 1,000 entries of a region that holds more than 2,000, as log GC does. It exists to size what a store-wide
 * append-only raft log would save (BENCHMARKS.md, "What a synced raft-log commit writes").
 *
 * <p>usage (from the repository, after {@code mvn -B -q -DskipTests -pl regionkv-server -am package}):
 * <pre>
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp 'regionkv-server/target/lib/*' bench/RaftLogLayout.java LAYOUT REGIONS WRITES ENTRIES COMMITS DIR
 * </pre>
 * LAYOUT is {@code lmdb} or {@code append}; each commit holds WRITES region writes (regions taken in
 * turn) of ENTRIES entries of 350 bytes; the first fifth of the COMMITS is warm-up. DIR is a directory on
 * the disk to measure; the run creates and removes a subdirectory there.
 */
public class RaftLogLayout {

    private static final int ENTRY_BYTES = 350;

    public static void main(String[] args) throws Exception {
        String layout = args[0];
        int regions = Integer.parseInt(args[1]);
        int writesPerCommit = Integer.parseInt(args[2]);
        int entriesPerWrite = Integer.parseInt(args[3]);
        int commits = Integer.parseInt(args[4]);
        Path dir = Files.createTempDirectory(Path.of(args[5]), "raft-log-layout");
        Measure measure = new Measure(commits / 5);
        try {
            if (layout.equals("lmdb")) {
                runLmdb(dir, regions, writesPerCommit, entriesPerWrite, commits, measure);
            } else if (layout.equals("append")) {
                runAppend(dir, regions, writesPerCommit, entriesPerWrite, commits, measure);
            } else {
                throw new IllegalArgumentException("LAYOUT is lmdb or append, not " + layout);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        measure.print(layout, regions, writesPerCommit, entriesPerWrite, commits);
    }

    private static void runLmdb(Path dir, int regions, int writesPerCommit, int entriesPerWrite, int commits,
            Measure measure) throws Exception {
        byte[] value = entryBytes();
        long[] next = new long[regions];
        long[] first = new long[regions];
        Arrays.fill(next, 1);
        Arrays.fill(first, 1);
        ByteBuffer key = ByteBuffer.allocateDirect(18);
        ByteBuffer val = ByteBuffer.allocateDirect(ENTRY_BYTES);
        try (Env<ByteBuffer> env = Env.create().setMapSize(4L << 30).setMaxDbs(1).open(dir.toFile())) {
            Dbi<ByteBuffer> db = env.openDbi("raft", DbiFlags.MDB_CREATE);
            int turn = 0;
            for (int c = 0; c < commits; c++) {
                measure.commitStarts(c);
                try (Txn<ByteBuffer> txn = env.txnWrite()) {
                    for (int w = 0; w < writesPerCommit; w++) {
                        int r = turn++ % regions;
                        for (int e = 0; e < entriesPerWrite; e++) {
                            db.put(txn, logKey(key, r, next[r]++), fill(val, value, ENTRY_BYTES));
                            measure.entry();
                        }
                        db.put(txn, stateKey(key, r), fill(val, value, 30));
                        if (next[r] - first[r] > 2000) {
                            first[r] = deleteOldest(db, txn, key, r, first[r], 1000);
                        }
                    }
                    txn.commit();
                }
            }
        }
    }

    private static long deleteOldest(Dbi<ByteBuffer> db, Txn<ByteBuffer> txn, ByteBuffer key, int region,
            long first, int count) {
        long end = first + count;
        try (Cursor<ByteBuffer> cursor = db.openCursor(txn)) {
            boolean found = cursor.get(logKey(key, region, first), GetOp.MDB_SET_RANGE);
            while (found) {
                ByteBuffer k = cursor.key();
                if (k.getLong(1) != region + 1 || k.getLong(10) >= end) break;
                cursor.delete();
                found = cursor.next(); // after a delete LMDB leaves the cursor on the successor
            }
        }
        return end;
    }

    private static void runAppend(Path dir, int regions, int writesPerCommit, int entriesPerWrite, int commits,
            Measure measure) throws Exception {
        byte[] value = entryBytes();
        long[] next = new long[regions];
        Arrays.fill(next, 1);
        long fileBytes = 512L << 20;
        try (FileChannel file = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Allocated and synced up front, as a log file would be when it is created, so a commit's
            // fdatasync never has the file's size to write as well.
            file.write(ByteBuffer.allocate(1 << 20), fileBytes - (1 << 20));
            file.force(true);
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22);
            long position = 0;
            int turn = 0;
            for (int c = 0; c < commits; c++) {
                measure.commitStarts(c);
                buf.clear();
                for (int w = 0; w < writesPerCommit; w++) {
                    int r = turn++ % regions;
                    for (int e = 0; e < entriesPerWrite; e++) {
                        buf.putLong(r).putLong(next[r]++).putInt(ENTRY_BYTES).put(value);
                        measure.entry();
                    }
                }
                buf.flip();
                if (position + buf.remaining() > fileBytes) position = 0; // reuse the file, as rotation would
                while (buf.hasRemaining()) position += file.write(buf, position);
                file.force(false);
            }
        }
    }

    private static byte[] entryBytes() {
        byte[] value = new byte[ENTRY_BYTES];
        new Random(1).nextBytes(value);
        return value;
    }

    private static ByteBuffer logKey(ByteBuffer key, int region, long index) {
        key.clear();
        key.put((byte) 2).putLong(region + 1).put((byte) 1).putLong(index).flip();
        return key;
    }

    private static ByteBuffer stateKey(ByteBuffer key, int region) {
        key.clear();
        key.put((byte) 2).putLong(region + 1).put((byte) 2).putLong(0).flip();
        return key;
    }

    private static ByteBuffer fill(ByteBuffer val, byte[] value, int length) {
        val.clear();
        val.put(value, 0, length).flip();
        return val;
    }

    /** CPU, wall time and bytes written by this thread from the end of warm-up on. */
    private static final class Measure {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final int warmupCommits;
        private long cpuStart;
        private long wallStart;
        private long writtenStart;
        private long entries;

        Measure(int warmupCommits) {
            this.warmupCommits = warmupCommits;
        }

        void commitStarts(int commit) throws Exception {
            if (commit == warmupCommits) {
                cpuStart = threads.getCurrentThreadCpuTime();
                wallStart = System.nanoTime();
                writtenStart = writtenBytes();
                entries = 0;
            }
        }

        void entry() {
            entries++;
        }

        void print(String layout, int regions, int writes, int entriesPerWrite, int commits) throws Exception {
            double cpuUs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3;
            double wallUs = (System.nanoTime() - wallStart) / 1e3;
            long written = writtenBytes() - writtenStart;
            int measured = commits - warmupCommits;
            System.out.printf("%s, %d regions, %d writes of %d entries per commit: %.0f us CPU and %.0f us wall per"
                    + " commit, %.2f us CPU per entry, %.1f pages (%.0f bytes per entry) written%n", layout, regions,
                    writes, entriesPerWrite, cpuUs / measured, wallUs / measured, cpuUs / entries,
                    written / 4096.0 / measured, (double) written / entries);
        }

        /** Bytes this thread passed to write calls that reach storage ({@code /proc/thread-self/io}). */
        private static long writtenBytes() throws Exception {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
                if (line.startsWith("write_bytes: ")) return Long.parseLong(line.substring(13));
            }
            throw new IllegalStateException("no write_bytes in /proc/thread-self/io");
        }
    }
}
