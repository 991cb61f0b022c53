package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.StorageFailedException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append layout keeps its disk bounded by itself, and refuses what would leave a hole. */
class AppendRaftLogTest {
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    /**
     * Ten busy regions that compact their logs as log GC would, and one idle region whose few entries
     * never compact: the segments on disk stay bounded (the idle region is rewritten forward rather than
     * pinning the first segment), and every region reads back what it holds, also after reopening.
     */
    @Test
    void segmentsStayBoundedWhileAnIdleRegionPinsNothing() {
        long[] next = new long[11];
        try (AppendRaftLog log = AppendRaftLog.open(dir, false, SEGMENT)) {
            log.commitAll(List.of(new RaftLogBatch().append(100, List.of(entry(1, 100))).state(100, state(1))));
            for (int round = 0; round < 3_000; round++) {
                RaftLogBatch batch = new RaftLogBatch();
                for (int r = 0; r < 10; r++) {
                    long index = ++next[r];
                    batch.append(r + 1, List.of(entry(index, r + 1))).state(r + 1, state(index));
                    if (index % 50 == 0) batch.compact(r + 1, index - 20); // GC keeps the last 20
                }
                log.commitAll(List.of(batch));
                assertTrue(log.segmentCount() <= AppendRaftLog.PURGE_SEGMENTS + 1,
                        "round " + round + ": " + log.segmentCount() + " segments");
            }
            assertTrue(log.sizeBytes() <= (AppendRaftLog.PURGE_SEGMENTS + 1) * SEGMENT);
            check(log, next);
        }
        try (AppendRaftLog reopened = AppendRaftLog.open(dir, false, SEGMENT)) {
            check(reopened, next);
        }
    }

    private static void check(AppendRaftLog log, long[] next) {
        assertEquals(List.of(entry(1, 100)), log.entries(100, 1, 2, Long.MAX_VALUE), "the idle region's entry");
        assertEquals(state(1), log.state(100));
        for (int r = 0; r < 10; r++) {
            LogShape shape = log.shape(r + 1);
            assertEquals(next[r], shape.lastIndex());
            assertEquals(entry(next[r], r + 1), log.entries(r + 1, next[r], next[r] + 1, Long.MAX_VALUE).get(0));
            assertEquals(state(next[r]), log.state(r + 1));
        }
    }

    @Test
    void aGroupWithAHoleIsRefusedWholeAndTheLogGoesOn() {
        try (AppendRaftLog log = AppendRaftLog.open(dir, false, SEGMENT)) {
            log.commitAll(List.of(new RaftLogBatch().append(1, List.of(entry(1, 1), entry(2, 1)))));
            RaftLogBatch good = new RaftLogBatch().append(2, List.of(entry(1, 2)));
            RaftLogBatch hole = new RaftLogBatch().append(1, List.of(entry(4, 1)));
            assertThrows(IllegalArgumentException.class, () -> log.commitAll(List.of(good, hole)));
            assertEquals(0, log.shape(2).size(), "nothing of the refused group is written");
            log.commitAll(List.of(good));
            assertEquals(List.of(entry(1, 2)), log.entries(2, 1, 2, Long.MAX_VALUE));
        }
    }

    /**
     * A real I/O failure: the next segment's file cannot be created (a directory holds its name), so the
     * commit that rotates fails. That commit and every later one, however small, fail with
     * {@link StorageFailedException}; reopened (the obstacle gone), the log holds every commit before the
     * failure and none of the failed ones.
     */
    @Test
    void aFailedWriteStopsTheLogUntilItIsOpenedAgain() throws Exception {
        long last = 0;
        List<Path> obstacles = new java.util.ArrayList<>();
        try (AppendRaftLog log = AppendRaftLog.open(dir, true, SEGMENT)) {
            long current = SegmentFiles.list(dir).lastKey();
            obstacles.add(java.nio.file.Files.createDirectory(SegmentFiles.path(dir, current + 1)));
            StorageFailedException failed = null;
            while (failed == null) {
                long index = last + 1;
                try {
                    log.commitAll(List.of(new RaftLogBatch().append(1, List.of(entry(index, 1))).state(1, state(index))));
                    last = index;
                } catch (StorageFailedException e) {
                    failed = e;
                }
                assertTrue(last < 1_000, "a 64 KiB segment holds far fewer than 1,000 entries of 250 bytes");
            }
            assertTrue(failed.getCause() instanceof java.io.UncheckedIOException, "the cause is the I/O error: " + failed);
            long tried = last + 1;
            StorageFailedException again = assertThrows(StorageFailedException.class, () -> log.commitAll(
                    List.of(new RaftLogBatch().state(2, state(1)))));
            assertEquals(failed.getCause(), again.getCause(), "later commits name the first failure");
            assertEquals(last, log.shape(1).lastIndex(), "entry " + tried + " was not taken");
        }
        for (Path obstacle : obstacles) java.nio.file.Files.delete(obstacle);
        try (AppendRaftLog reopened = AppendRaftLog.open(dir, true, SEGMENT)) {
            assertEquals(last, reopened.shape(1).lastIndex());
            assertEquals(state(last), reopened.state(1));
            assertEquals(null, reopened.state(2));
            reopened.commitAll(List.of(new RaftLogBatch().append(1, List.of(entry(last + 1, 1)))));
            assertEquals(entry(last + 1, 1), reopened.entries(1, last + 1, last + 2, Long.MAX_VALUE).get(0));
        }
    }

    private static Entry entry(long index, long region) {
        return Entry.newBuilder().setIndex(index).setTerm(1)
                .setData(ByteString.copyFromUtf8("region " + region + " entry " + index + " ".repeat(200))).build();
    }

    private static RaftLocalState state(long last) {
        return RaftLocalState.newBuilder().setLastIndex(last).setLastTerm(1).build();
    }
}
