package io.regionkv.store.snapshot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.Db;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.WriteOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot files read back a bounded batch at a time, the checksum checked at the end. */
class SnapshotFormatTest {

    private static final int RECORDS = 3000;
    private static final int VALUE_BYTES = 1024;

    @TempDir
    Path dir;

    private int writeFile(Path file) throws IOException {
        try (SnapshotFormat.Writer w = new SnapshotFormat.Writer(file)) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] value = new byte[VALUE_BYTES];
                Arrays.fill(value, (byte) i);
                w.write(SnapshotFormat.COLUMN_FAMILIES[i % 3], String.format("k%06d", i).getBytes(UTF_8), value);
            }
            return w.finish();
        }
    }

    @Test
    void aFileIsReadInBatchesOfBoundedSizeInOrder() throws IOException {
        Path file = dir.resolve("s.snap");
        int checksum = writeFile(file);
        long max = 64 * 1024;
        int batches = 0;
        int seen = 0;
        try (SnapshotFormat.Reader r = new SnapshotFormat.Reader(file, checksum)) {
            boolean more = true;
            while (more) {
                WriteBatch b = new WriteBatch();
                more = r.next(b, max);
                assertTrue(b.approximateSize() < max + VALUE_BYTES + 64, "a batch of " + b.approximateSize() + " bytes");
                for (WriteOp op : b.ops()) {
                    WriteOp.Put put = (WriteOp.Put) op;
                    assertEquals(SnapshotFormat.COLUMN_FAMILIES[seen % 3], put.db());
                    assertArrayEquals(String.format("k%06d", seen).getBytes(UTF_8), put.key());
                    assertEquals((byte) seen, put.value()[0]);
                    seen++;
                }
                batches++;
            }
        }
        assertEquals(RECORDS, seen);
        assertTrue(batches >= (long) RECORDS * VALUE_BYTES / max, batches + " batches");
    }

    @Test
    void aDamagedFileFailsAtItsEnd() throws IOException {
        Path file = dir.resolve("s.snap");
        int checksum = writeFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Inside the value of a record near the end: the records still parse, only the checksum differs.
            ch.write(ByteBuffer.wrap(new byte[] {0x77}), ch.size() - 10);
        }
        try (SnapshotFormat.Reader r = new SnapshotFormat.Reader(file, checksum)) {
            assertThrows(IOException.class, () -> {
                while (r.next(new WriteBatch(), 64 * 1024)) {
                    // read on
                }
            });
        }
        assertTrue(SnapshotFormat.checksumOf(file) != checksum);
    }
}
