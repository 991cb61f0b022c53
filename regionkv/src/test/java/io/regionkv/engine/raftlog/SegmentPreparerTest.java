package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append log's next segment, written as zeros ahead of time ({@link SegmentPreparer}). */
class SegmentPreparerTest {
    private static final long SEGMENT_BYTES = 16 * 1024;

    @TempDir
    Path dir;

    private static byte[] payload(Random random) {
        byte[] b = new byte[200 + random.nextInt(800)];
        random.nextBytes(b);
        return b;
    }

    private static List<byte[]> replay(Path dir) {
        List<byte[]> seen = new ArrayList<>();
        AppendLog.open(dir, SEGMENT_BYTES, (p, payload) -> {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            seen.add(bytes);
        }, new SegmentPreparer(dir, SEGMENT_BYTES, Runnable::run)).close();
        return seen;
    }

    private static List<Path> zeroedFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".zeroed")).toList();
        }
    }

    @Test
    void theNextSegmentIsWrittenAsZerosOnceTheCurrentIsHalfFullAndTakenOverWhenNeeded() throws IOException {
        Random random = new Random(1);
        List<byte[]> written = new ArrayList<>();
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {}, new SegmentPreparer(dir, SEGMENT_BYTES, Runnable::run));
        while (log.sizeBytes() < SEGMENT_BYTES / 2 - 1000) {
            written.add(payload(random));
            log.append(ByteBuffer.wrap(written.get(written.size() - 1)));
        }
        assertTrue(zeroedFiles(dir).isEmpty(), "nothing prepared while the first segment is less than half full");
        while (log.currentSegment() == 1) {
            written.add(payload(random));
            log.append(ByteBuffer.wrap(written.get(written.size() - 1)));
        }
        Path second = SegmentFiles.path(dir, 2);
        assertEquals(SEGMENT_BYTES, Files.size(second), "the second segment is the file of zeros prepared for it");
        assertTrue(zeroedFiles(dir).isEmpty(), "the prepared file was renamed, not copied");
        assertTrue(Files.size(SegmentFiles.path(dir, 1)) < SEGMENT_BYTES, "the first segment ends at its last record");
        long recordsOfSecond = log.sizeBytes() - Files.size(SegmentFiles.path(dir, 1));
        assertTrue(recordsOfSecond > 0 && recordsOfSecond < SEGMENT_BYTES, "sizeBytes counts records, not zeros");
        log.sync();
        log.close();

        List<byte[]> replayed = replay(dir);
        assertEquals(written.size(), replayed.size(), "the zeros after the last record end the log");
        for (int i = 0; i < written.size(); i++) assertArrayEquals(written.get(i), replayed.get(i), "record " + i);
        assertEquals(recordsOfSecond, Files.size(second), "opening cut the zeros off as it cuts a torn tail");
    }

    @Test
    void aSyncedRecordInAPreparedSegmentSurvivesWhatFollowsItUnsynced() throws IOException {
        Random random = new Random(2);
        List<byte[]> synced = new ArrayList<>();
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {}, new SegmentPreparer(dir, SEGMENT_BYTES, Runnable::run));
        while (log.currentSegment() == 1) {
            synced.add(payload(random));
            log.append(ByteBuffer.wrap(synced.get(synced.size() - 1)));
        }
        log.sync();
        // A record half written into the zeros, as a crash inside a write leaves it.
        RecordPosition torn = log.append(ByteBuffer.wrap(payload(random)));
        log.close();
        try (var ch = java.nio.channels.FileChannel.open(SegmentFiles.path(dir, 2), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate((int) (torn.end() - torn.offset()) / 2), torn.offset() + torn.length() / 2 + 8);
        }
        List<byte[]> replayed = replay(dir);
        assertEquals(synced.size(), replayed.size());
        for (int i = 0; i < synced.size(); i++) assertArrayEquals(synced.get(i), replayed.get(i), "record " + i);
    }

    @Test
    void aPreparationNotDoneWhenItsSegmentIsNeededIsAbandonedAndItsFileDeleted() throws IOException {
        List<Runnable> queued = new ArrayList<>();
        Random random = new Random(3);
        List<byte[]> written = new ArrayList<>();
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {}, new SegmentPreparer(dir, SEGMENT_BYTES, queued::add));
        while (log.currentSegment() == 1) {
            written.add(payload(random));
            log.append(ByteBuffer.wrap(written.get(written.size() - 1)));
        }
        assertEquals(1, queued.size(), "one preparation was asked for, and never ran");
        assertTrue(Files.size(SegmentFiles.path(dir, 2)) < SEGMENT_BYTES, "segment 2 was created as an empty file");
        queued.get(0).run(); // the abandoned job runs late: it stops at once and leaves nothing behind
        assertTrue(zeroedFiles(dir).isEmpty(), "the abandoned preparation's file is gone");
        log.sync();
        log.close();
        assertEquals(written.size(), replay(dir).size());
    }

    @Test
    void aPreparedSegmentIsNotRenamedOverAFileThatTakesItsName() throws IOException {
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {}, new SegmentPreparer(dir, SEGMENT_BYTES, Runnable::run));
        Random random = new Random(4);
        while (log.sizeBytes() < SEGMENT_BYTES / 2) log.append(ByteBuffer.wrap(payload(random)));
        assertEquals(1, zeroedFiles(dir).size(), "segment 2 is prepared");
        Files.createDirectory(SegmentFiles.path(dir, 2)); // whatever holds the name, the log must not lose it
        assertThrows(UncheckedIOException.class, () -> {
            while (true) log.append(ByteBuffer.wrap(payload(random)));
        });
        assertTrue(Files.isDirectory(SegmentFiles.path(dir, 2)));
        log.close();
    }

    @Test
    void leftoversOfPreparationsAreDeletedAtOpenAndNeverTakenForSegments() throws IOException {
        Path leftover = dir.resolve(SegmentFiles.path(dir, 2).getFileName() + ".1a2b.zeroed");
        Files.write(leftover, new byte[4096]);
        Path unrelated = dir.resolve("notes.zeroed");
        Files.write(unrelated, new byte[] {1});
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {});
        assertFalse(Files.exists(leftover), "a preparation a crash interrupted is deleted");
        assertTrue(Files.exists(unrelated), "a file that is not a preparation is left alone");
        assertEquals(1, log.currentSegment());
        log.close();
    }
}
