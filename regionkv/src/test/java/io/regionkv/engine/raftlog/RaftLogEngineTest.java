package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.engine.CorruptedDataException;
import io.regionkv.proto.Eraftpb.Entry;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftLogEngineTest {
    private static final long SEGMENT_BYTES = 8 * 1024;

    @TempDir
    Path dir;

    @Test
    void randomWritesReadBackAndReplayTheSameAfterReopeningAndPurging() {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("RaftLogEngineTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        LogModel model = new LogModel();
        RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES);
        int purged = 0;
        try {
            for (int step = 0; step < 3000; step++) {
                engine.write(LogModel.randomBatch(model, random, 1 + step / 100));
                if (step % 7 == 0) engine.sync();
                if (step % 50 == 49) {
                    model.assertHeldBy(engine, "seed " + seed + " step " + step);
                }
                if (step % 300 == 299) {
                    long before = engine.firstSegment();
                    engine.rewriteAndPurge(3);
                    purged += engine.firstSegment() - before;
                    assertTrue(engine.currentSegment() - engine.firstSegment() < 3 + 2,
                            "seed " + seed + ": after a purge only the kept segments and the rewrite remain");
                    model.assertHeldBy(engine, "seed " + seed + " after purge at step " + step);
                }
                if (step % 400 == 399) {
                    engine.sync();
                    engine.close();
                    engine = RaftLogEngine.open(dir, SEGMENT_BYTES);
                    model.assertHeldBy(engine, "seed " + seed + " after reopening at step " + step);
                }
            }
        } finally {
            engine.close();
        }
        assertTrue(purged > 10, "seed " + seed + ": purges deleted segments (" + purged + ")");
    }

    @Test
    void anAppendThatWouldLeaveAHoleIsRefusedAndWritesNothing() {
        Random random = new Random(1);
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            engine.write(List.of(new LogOp.Append(7, LogModel.entries(10, 5, 1, random))));
            long size = engine.sizeBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.write(List.of(new LogOp.Append(8, LogModel.entries(1, 1, 1, random)),
                            new LogOp.Append(7, LogModel.entries(16, 1, 1, random)))));
            assertTrue(e.getMessage().contains("hole"), e.getMessage());
            assertEquals(size, engine.sizeBytes(), "nothing of the refused batch reached the log");
            assertEquals(0, engine.shape(8).size(), "not even the valid op of the refused batch");
            engine.write(List.of(new LogOp.Compact(7, 20)));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.write(List.of(new LogOp.Append(7, LogModel.entries(21, 1, 1, random)))),
                    "a log compacted past its end takes the next append only where it now starts");
            engine.write(List.of(new LogOp.Append(7, LogModel.entries(20, 1, 1, random))));
            assertEquals(new LogShape(20, 1), engine.shape(7));
        }
    }

    @Test
    void anIdleRegionIsRewrittenSoThatItsOldSegmentsCanGo() {
        Random random = new Random(2);
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            List<Entry> idle = LogModel.entries(1, 3, 1, random);
            engine.write(List.of(new LogOp.Append(1, idle), new LogOp.State(1, LogModel.state(3, 1))));
            long next = 1;
            for (int i = 0; i < 200; i++) {
                engine.write(List.of(new LogOp.Append(2, LogModel.entries(next, 4, 1, random)), new LogOp.State(2, LogModel.state(next + 3, 1))));
                next += 4;
                if (i % 20 == 19) engine.write(List.of(new LogOp.Compact(2, next - 8)));
            }
            engine.sync();
            assertEquals(1, engine.firstSegment(), "the idle region pins the first segment");
            long before = engine.sizeBytes();
            assertTrue(engine.rewriteAndPurge(1) >= 1, "the idle region needed an old segment");
            assertEquals(engine.currentSegment(), engine.locate(1, 1).segment(), "the idle region's entries moved");
            assertTrue(engine.sizeBytes() < before / 4, engine.sizeBytes() + " bytes left of " + before);
            assertEquals(engine.currentSegment(), engine.firstSegment());
            assertEquals(idle, engine.entries(1, 1, 4, Long.MAX_VALUE));
            assertEquals(0, engine.rewriteAndPurge(1), "nothing left to rewrite");
        }
        try (RaftLogEngine reopened = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            assertEquals(3, reopened.shape(1).size());
            assertEquals(LogModel.state(3, 1), reopened.state(1).orElseThrow());
            assertEquals(new LogShape(801 - 8, 8), reopened.shape(2));
        }
    }

    @Test
    void replayAfterAPurgeAcceptsAHistoryWhoseStartWasDeleted() throws Exception {
        Random random = new Random(3);
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            // Region 5: entries 1..100, then compacted to 50 (the compaction lands in a later segment),
            // then 101..110, then compacted to 105. Region 6 fills segments meanwhile.
            engine.write(List.of(new LogOp.Append(5, LogModel.entries(1, 100, 1, random))));
            for (int i = 0; i < 40; i++) engine.write(List.of(new LogOp.Append(6, LogModel.entries(1 + i, 1, 1, random))));
            engine.write(List.of(new LogOp.Compact(5, 50), new LogOp.Append(5, LogModel.entries(101, 10, 1, random))));
            for (int i = 40; i < 80; i++) engine.write(List.of(new LogOp.Append(6, LogModel.entries(1 + i, 1, 1, random))));
            engine.write(List.of(new LogOp.Compact(5, 105)));
            engine.sync();
            long pinned = engine.firstSegment();
            engine.rewriteAndPurge(Integer.MAX_VALUE >> 1); // keeps every segment: nothing rewritten...
            assertEquals(pinned, engine.firstSegment());
        }
        // ...so purge by hand as the engine would once region 5's old entries are dead: delete segments
        // below the one holding entry 105.
        long keepFrom;
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            keepFrom = segmentOf(engine, 5, 105);
        }
        assertTrue(keepFrom > 1, "entry 105 lies in a later segment");
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> SegmentFiles.segmentOf(f).map(n -> n < keepFrom).orElse(false)).forEach(f -> f.toFile().delete());
        }
        try (RaftLogEngine reopened = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            assertEquals(new LogShape(105, 6), reopened.shape(5));
        }
    }

    private static long segmentOf(RaftLogEngine engine, long region, long index) {
        // Only through the index: the engine answers locations to its own package.
        return engine.locate(region, index).segment();
    }

    @Test
    void aTornLastRecordLeavesTheLogAsAfterThePreviousWrite() throws Exception {
        Random random = new Random(4);
        LogModel model = new LogModel();
        LogModel beforeLast = new LogModel();
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            for (int i = 0; i < 30; i++) {
                List<LogOp> batch = LogModel.randomBatch(model, random, 1);
                if (i < 29) batch.forEach(beforeLast::apply);
                engine.write(batch);
            }
            engine.sync();
        }
        Path last;
        try (Stream<Path> files = Files.list(dir)) {
            last = files.filter(f -> SegmentFiles.segmentOf(f).isPresent()).max(Path::compareTo).orElseThrow();
        }
        // The segment may hold zeros past its records (SegmentPreparer): cut where the last record ends.
        long[] recordsEnd = {0};
        long lastSegment = SegmentFiles.segmentOf(last).orElseThrow();
        AppendLog.open(dir, SEGMENT_BYTES, (p, payload) -> {
            if (p.segment() == lastSegment) recordsEnd[0] = p.end();
        }).close();
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(recordsEnd[0] - 1);
        }
        try (RaftLogEngine reopened = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            beforeLast.assertHeldBy(reopened, "after cutting the last record short");
        }
    }

    @Test
    void askingForEntriesTheLogDoesNotHoldIsCorruption() {
        Random random = new Random(5);
        try (RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES)) {
            engine.write(List.of(new LogOp.Append(1, LogModel.entries(1, 3, 1, random))));
            assertThrows(CorruptedDataException.class, () -> engine.entries(1, 2, 5, Long.MAX_VALUE));
            assertTrue(engine.term(2, 1).isEmpty());
            assertEquals(1, engine.entries(1, 1, 4, 1).size(), "a byte limit still returns one entry");
        }
    }
}
