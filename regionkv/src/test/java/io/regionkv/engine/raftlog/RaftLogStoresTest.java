package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.EngineConfig;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that changes its raft-log layout finds its raft logs moved over, whole, and the old directory gone. */
class RaftLogStoresTest {
    @TempDir
    Path dir;

    private static EngineConfig config(RaftLogLayout layout) {
        return EngineConfig.defaults().withSyncOnCommit(false).withRaftLog(layout);
    }

    @Test
    void raftLogsMoveToTheOtherLayoutAndBack() {
        Map<Long, String> before;
        try (RaftLogStore lmdb = RaftLogStores.open(dir, config(RaftLogLayout.LMDB))) {
            fill(lmdb);
            before = describe(lmdb);
        }
        assertEquals(4, before.size(), "regions with entries, a compacted log, a fence only, and a state only");

        try (RaftLogStore append = RaftLogStores.open(dir, config(RaftLogLayout.APPEND))) {
            assertEquals(RaftLogLayout.APPEND, append.layout());
            assertEquals(before, describe(append));
        }
        assertFalse(Files.exists(dir.resolve("raft")), "the old layout's directory is deleted");
        assertTrue(Files.isDirectory(dir.resolve("raft-log")));

        try (RaftLogStore lmdb = RaftLogStores.open(dir, config(RaftLogLayout.LMDB))) {
            assertEquals(before, describe(lmdb));
        }
        assertFalse(Files.exists(dir.resolve("raft-log")));
    }

    @Test
    void anInterruptedMoveIsRedoneAndAFinishedOnesLeftoverIsDeleted() throws Exception {
        Map<Long, String> before;
        try (RaftLogStore lmdb = RaftLogStores.open(dir, config(RaftLogLayout.LMDB))) {
            fill(lmdb);
            before = describe(lmdb);
        }
        // A crash during the copy: a partial copy under the temporary name, the old directory whole.
        Path moving = dir.resolve("raft-log.moving");
        Files.createDirectories(moving);
        Files.write(moving.resolve("00000000000000000000.raftlog"), new byte[] {1, 2, 3});
        try (RaftLogStore append = RaftLogStores.open(dir, config(RaftLogLayout.APPEND))) {
            assertEquals(before, describe(append));
        }
        assertFalse(Files.exists(moving));

        // A crash after the rename but before the old directory went: it is a leftover.
        Files.createDirectories(dir.resolve("raft"));
        Files.write(dir.resolve("raft").resolve("data.mdb"), new byte[] {9});
        try (RaftLogStore append = RaftLogStores.open(dir, config(RaftLogLayout.APPEND))) {
            assertEquals(before, describe(append));
        }
        assertFalse(Files.exists(dir.resolve("raft")));
    }

    /** Region 1: 5,000 entries (more than one copy batch); 2: compacted; 3: a fence only; 4: a state only. */
    private static void fill(RaftLogStore log) {
        List<Entry> entries = new ArrayList<>();
        for (long i = 6; i < 5_006; i++) {
            entries.add(Entry.newBuilder().setIndex(i).setTerm(5 + i / 1000).setData(ByteString.copyFromUtf8("e" + i)).build());
        }
        log.commitAll(List.of(new RaftLogBatch()
                .append(1, entries)
                .state(1, state(5_005, 10))
                .append(2, entries.subList(0, 100))
                .state(2, state(105, 5))
                .fence(3, RaftTruncatedState.newBuilder().setIndex(40).setTerm(3).build())
                .state(4, state(5, 5))));
        log.commitAll(List.of(new RaftLogBatch().compact(2, 60)));
    }

    private static RaftLocalState state(long last, long term) {
        return RaftLocalState.newBuilder().setLastIndex(last).setLastTerm(term)
                .setHardState(HardState.newBuilder().setTerm(term).setVote(2).setCommit(last)).build();
    }

    /** Every region's state, fence and entries, as text to compare. */
    private static Map<Long, String> describe(RaftLogStore log) {
        Map<Long, String> out = new TreeMap<>();
        for (long region : log.regions()) {
            LogShape shape = log.shape(region);
            List<Entry> entries = shape.size() == 0 ? List.of()
                    : log.entries(region, shape.firstIndex(), shape.lastIndex() + 1, Long.MAX_VALUE);
            out.put(region, log.state(region) + "|" + log.fence(region) + "|" + (shape.size() == 0 ? "" : shape.firstIndex())
                    + "|" + entries);
        }
        return out;
    }
}
