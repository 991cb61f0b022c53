package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same random {@link LogOp} batches written through {@link LmdbLogOps} into the raft environment and
 * through {@link RaftLogEngine} hold the same entries, raft states and fences: one description of a raft
 * write means the same in both layouts.
 */
class LmdbLogOpsTest {
    @TempDir
    Path dir;

    @Test
    void bothLayoutsHoldWhatTheModelHolds() throws Exception {
        long seed = Long.getLong("regionkv.seed", System.nanoTime());
        System.out.println("LmdbLogOpsTest seed=" + seed + " (replay with -Dregionkv.seed=" + seed + ")");
        Random random = new Random(seed);
        LogModel model = new LogModel();
        try (Engine lmdb = Engine.open(EngineKind.RAFT, dir.resolve("lmdb"), EngineConfig.defaults());
                RaftLogEngine appendLog = RaftLogEngine.open(dir.resolve("append"), 16 * 1024)) {
            for (int step = 0; step < 2000; step++) {
                List<LogOp> batch = LogModel.randomBatch(model, random, 1 + step / 100);
                lmdb.commit(LmdbLogOps.addTo(batch, new WriteBatch()));
                appendLog.write(batch);
                if (step % 100 == 99) {
                    String context = "seed " + seed + " step " + step;
                    model.assertHeldBy(appendLog, context);
                    assertLmdbHolds(model, lmdb, context);
                }
            }
        }
    }

    private static void assertLmdbHolds(LogModel model, Engine lmdb, String context) {
        try (ReadView view = lmdb.readView()) {
            for (Map.Entry<Long, TreeMap<Long, Entry>> e : model.entries.entrySet()) {
                long r = e.getKey();
                List<Entry> held = new ArrayList<>();
                KeySpan span = Keys.raftLogSpan(r);
                view.forEach(Db.RAFT, span.start(), span.end(), false, (key, value) -> {
                    held.add(LogRecordCodec.entry(java.nio.ByteBuffer.wrap(value), r, Keys.raftLogIndex(key)));
                    return true;
                });
                assertEquals(new ArrayList<>(e.getValue().values()), held, context + ": region " + r + " entries in LMDB");
                assertEquals(model.states.get(r), view.get(Db.RAFT, Keys.raftStateKey(r), RaftLocalState.parser()),
                        context + ": region " + r + " state in LMDB");
            }
            for (Map.Entry<Long, RaftTruncatedState> f : model.fences.entrySet()) {
                assertEquals(f.getValue(), view.get(Db.RAFT, Keys.voteFenceKey(f.getKey()), RaftTruncatedState.parser()),
                        context + ": region " + f.getKey() + " fence in LMDB");
            }
        }
    }
}
