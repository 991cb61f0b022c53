package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.CorruptedDataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendLogTest {
    private static final long SEGMENT_BYTES = 16 * 1024;

    @TempDir
    Path dir;

    private record Seen(RecordPosition position, byte[] payload) {}

    private static List<Seen> open(Path dir, List<AppendLog> opened) {
        List<Seen> seen = new ArrayList<>();
        opened.add(AppendLog.open(dir, SEGMENT_BYTES, (p, payload) -> {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            seen.add(new Seen(p, bytes));
        }));
        return seen;
    }

    private static List<byte[]> payloads(Random random, int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[1 + random.nextInt(3000)];
            random.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    /** Appends {@code payloads} to a fresh log, syncs, closes; answers their positions. */
    private List<RecordPosition> write(Path at, List<byte[]> payloads) {
        List<RecordPosition> positions = new ArrayList<>();
        try (AppendLog log = AppendLog.open(at, SEGMENT_BYTES, (p, b) -> {})) {
            for (byte[] p : payloads) positions.add(log.append(ByteBuffer.wrap(p)));
            log.sync();
        }
        return positions;
    }

    private static void assertRecords(List<byte[]> expected, List<Seen> seen) {
        assertEquals(expected.size(), seen.size(), "records after reopening");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), seen.get(i).payload(), "record " + i);
        }
    }

    @Test
    void recordsReadBackInOrderAcrossSegmentsAndAfterReopening() {
        List<byte[]> payloads = payloads(new Random(1), 200);
        List<AppendLog> opened = new ArrayList<>();
        List<RecordPosition> positions = new ArrayList<>();
        AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {});
        for (byte[] p : payloads) positions.add(log.append(ByteBuffer.wrap(p)));
        for (int i = 0; i < payloads.size(); i++) {
            assertArrayEquals(payloads.get(i), bytes(log.read(positions.get(i))), "read before sync, record " + i);
        }
        log.sync();
        assertTrue(log.currentSegment() > 10, "200 records of up to 3 KB fill more than ten 16 KiB segments");
        log.close();

        List<Seen> seen = open(dir, opened);
        assertRecords(payloads, seen);
        for (int i = 0; i < payloads.size(); i++) {
            assertEquals(positions.get(i), seen.get(i).position(), "position of record " + i);
            assertTrue(positions.get(i).end() <= SEGMENT_BYTES || positions.get(i).offset() == 0,
                    "a record starts a new segment rather than overfilling one");
        }
        // Appending goes on after the last record.
        byte[] more = {1, 2, 3};
        RecordPosition next = opened.get(0).append(ByteBuffer.wrap(more));
        opened.get(0).sync();
        opened.get(0).close();
        List<Seen> again = open(dir, opened);
        assertEquals(payloads.size() + 1, again.size());
        assertEquals(next, again.get(payloads.size()).position());
        assertArrayEquals(more, again.get(payloads.size()).payload());
        opened.get(1).close();
    }

    @Test
    void aTornLastRecordIsCutAtEveryLengthAndTheLogGoesOnFromThere() throws IOException {
        List<byte[]> payloads = payloads(new Random(2), 5);
        List<RecordPosition> positions = write(dir.resolve("original"), payloads);
        RecordPosition last = positions.get(positions.size() - 1);
        for (long cut = last.offset(); cut < last.end(); cut++) {
            Path copy = copyOf(dir.resolve("original"), dir.resolve("cut-" + cut));
            try (FileChannel ch = FileChannel.open(SegmentFiles.path(copy, last.segment()), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            List<AppendLog> opened = new ArrayList<>();
            List<Seen> seen = open(copy, opened);
            assertRecords(payloads.subList(0, payloads.size() - 1), seen);
            assertEquals(last.offset(), Files.size(SegmentFiles.path(copy, last.segment())), "the torn bytes are gone");
            RecordPosition again = opened.get(0).append(ByteBuffer.wrap(payloads.get(payloads.size() - 1)));
            assertEquals(last, again, "the record is appended where the torn one started");
            opened.get(0).sync();
            opened.get(0).close();
            assertRecords(payloads, open(copy, opened));
            opened.get(1).close();
        }
    }

    @Test
    void aDamagedRecordInTheLastSegmentEndsTheLog() throws IOException {
        List<byte[]> payloads = payloads(new Random(3), 4);
        List<RecordPosition> positions = write(dir, payloads);
        RecordPosition third = positions.get(2);
        assertEquals(third.segment(), positions.get(3).segment(), "both records in the last segment");
        flipByte(SegmentFiles.path(dir, third.segment()), third.payloadOffset() + third.length() / 2);
        List<AppendLog> opened = new ArrayList<>();
        assertRecords(payloads.subList(0, 2), open(dir, opened));
        opened.get(0).close();
    }

    @Test
    void zerosAfterTheLastRecordAreNotARecord() throws IOException {
        List<byte[]> payloads = payloads(new Random(4), 3);
        List<RecordPosition> positions = write(dir, payloads);
        Path file = SegmentFiles.path(dir, positions.get(2).segment());
        Files.write(file, new byte[4096], StandardOpenOption.APPEND);
        List<AppendLog> opened = new ArrayList<>();
        assertRecords(payloads, open(dir, opened));
        assertEquals(positions.get(2).end(), Files.size(file));
        opened.get(0).close();
    }

    @Test
    void damageInAnEarlierSegmentIsCorruption() throws IOException {
        List<byte[]> payloads = payloads(new Random(5), 60);
        List<RecordPosition> positions = write(dir, payloads);
        RecordPosition first = positions.get(0);
        assertTrue(positions.get(59).segment() > first.segment());
        flipByte(SegmentFiles.path(dir, first.segment()), first.payloadOffset());
        CorruptedDataException e = assertThrows(CorruptedDataException.class,
                () -> AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {}));
        assertTrue(e.getMessage().contains("segment " + first.segment()), e.getMessage());
    }

    @Test
    void purgeDeletesOnlyOlderSegmentsAndNeverTheCurrentOne() {
        List<byte[]> payloads = payloads(new Random(6), 60);
        List<RecordPosition> positions = write(dir, payloads);
        long lastSegment = positions.get(59).segment();
        try (AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {})) {
            long before = log.sizeBytes();
            log.purgeBelow(lastSegment - 1);
            assertEquals(lastSegment - 1, log.firstSegment());
            assertTrue(log.sizeBytes() < before);
            for (int i = 0; i < 60; i++) {
                if (positions.get(i).segment() >= lastSegment - 1) {
                    assertArrayEquals(payloads.get(i), bytes(log.read(positions.get(i))), "record " + i + " kept");
                }
            }
            log.purgeBelow(Long.MAX_VALUE);
            assertEquals(lastSegment, log.firstSegment(), "the current segment stays");
        }
        List<AppendLog> opened = new ArrayList<>();
        List<Seen> seen = open(dir, opened);
        assertEquals(positions.get(59), seen.get(seen.size() - 1).position());
        assertTrue(seen.stream().allMatch(s -> s.position().segment() == lastSegment));
        opened.get(0).close();
    }

    @Test
    void segmentsBeforeAGapAreTheLeftoversOfAPurgeAndAreDeleted() throws IOException {
        List<byte[]> payloads = payloads(new Random(8), 60);
        List<RecordPosition> positions = write(dir, payloads);
        long lastSegment = positions.get(59).segment();
        assertTrue(lastSegment >= 4);
        // A purge below lastSegment - 1 that an OS crash undid in part: segment 2 is gone, 1 and 3.. are back.
        Files.delete(SegmentFiles.path(dir, 2));
        List<AppendLog> opened = new ArrayList<>();
        List<Seen> seen = open(dir, opened);
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < 60; i++) if (positions.get(i).segment() >= 3) kept.add(payloads.get(i));
        assertRecords(kept, seen);
        assertEquals(3, opened.get(0).firstSegment());
        assertTrue(Files.notExists(SegmentFiles.path(dir, 1)), "the leftover before the gap is deleted");
        opened.get(0).close();
    }

    @Test
    void emptyAndOversizedPayloadsAreRefused() {
        try (AppendLog log = AppendLog.open(dir, SEGMENT_BYTES, (p, b) -> {})) {
            assertThrows(IllegalArgumentException.class, () -> log.append(ByteBuffer.allocate(0)));
            assertThrows(IllegalArgumentException.class,
                    () -> log.append(ByteBuffer.allocate(AppendLog.MAX_PAYLOAD_BYTES + 1)));
            assertEquals(0, log.sizeBytes(), "a refused record writes nothing");
        }
    }

    @Test
    void filesThatAreNotSegmentsAreLeftAlone() throws IOException {
        Files.writeString(dir.resolve("README"), "not a segment");
        write(dir, payloads(new Random(7), 2));
        List<AppendLog> opened = new ArrayList<>();
        assertEquals(2, open(dir, opened).size());
        opened.get(0).close();
        assertTrue(Files.exists(dir.resolve("README")));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x40));
            one.rewind();
            ch.write(one, offset);
        }
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }
}
