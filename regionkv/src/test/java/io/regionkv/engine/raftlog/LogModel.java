package io.regionkv.engine.raftlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What a {@link RaftLogEngine} should hold, kept the simple way (a sorted map of entries per region), and
 * random batches of valid ops to drive both with.
 */
final class LogModel {
    final Map<Long, TreeMap<Long, Entry>> entries = new HashMap<>();
    final Map<Long, Long> firsts = new HashMap<>();
    final Map<Long, RaftLocalState> states = new HashMap<>();
    final Map<Long, RaftTruncatedState> fences = new HashMap<>();

    static Entry entry(long index, long term, int bytes, Random random) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFrom(data)).build();
    }

    static List<Entry> entries(long from, int count, long term, Random random) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(entry(from + i, term, random.nextInt(400), random));
        return out;
    }

    static RaftLocalState state(long last, long term) {
        return RaftLocalState.newBuilder().setLastIndex(last).setLastTerm(term)
                .setHardState(HardState.newBuilder().setTerm(term).setCommit(Math.max(0, last - 1))).build();
    }

    TreeMap<Long, Entry> of(long region) {
        return entries.computeIfAbsent(region, r -> new TreeMap<>());
    }

    void apply(LogOp op) {
        long r = op.region();
        if (op instanceof LogOp.Append a) {
            long from = a.entries().get(0).getIndex();
            of(r).tailMap(from, true).clear();
            for (Entry e : a.entries()) of(r).put(e.getIndex(), e);
            if (firsts.getOrDefault(r, 0L) == 0 || of(r).firstKey() < firsts.get(r)) firsts.put(r, of(r).firstKey());
        } else if (op instanceof LogOp.Compact c) {
            of(r).headMap(c.firstKept(), false).clear();
            if (c.firstKept() > firsts.getOrDefault(r, 0L)) firsts.put(r, c.firstKept());
        } else if (op instanceof LogOp.Clear) {
            of(r).clear();
            firsts.remove(r);
            states.remove(r);
        } else if (op instanceof LogOp.Restart rs) {
            of(r).clear();
            firsts.put(r, rs.firstIndex());
        } else if (op instanceof LogOp.State s) {
            states.put(r, s.state());
        } else if (op instanceof LogOp.Fence f) {
            fences.put(r, f.lastLostEntry());
        }
    }

    /** A valid start for an append to the region, at random: usually the next index, sometimes a conflict. */
    long appendStart(long region, Random random) {
        TreeMap<Long, Entry> log = of(region);
        if (log.isEmpty()) {
            long first = firsts.getOrDefault(region, 0L);
            return first > 0 ? first : 1 + random.nextInt(50);
        }
        if (random.nextInt(5) == 0) return log.firstKey() + random.nextInt((int) (log.lastKey() - log.firstKey() + 1));
        return log.lastKey() + 1;
    }

    /** One to four random valid ops over regions 1 to 5, applied to this model as they are made. */
    static List<LogOp> randomBatch(LogModel model, Random random, long term) {
        List<LogOp> batch = new ArrayList<>();
        int ops = 1 + random.nextInt(4);
        for (int i = 0; i < ops; i++) {
            long region = 1 + random.nextInt(5);
            int kind = random.nextInt(20);
            LogOp op;
            if (kind < 12) {
                op = new LogOp.Append(region, entries(model.appendStart(region, random), 1 + random.nextInt(8), term, random));
            } else if (kind < 16) {
                TreeMap<Long, Entry> log = model.of(region);
                if (log.isEmpty()) continue;
                op = new LogOp.Compact(region, log.firstKey() + random.nextInt((int) (log.lastKey() - log.firstKey() + 2)));
            } else if (kind < 17) {
                TreeMap<Long, Entry> log = model.of(region);
                op = new LogOp.State(region, state(log.isEmpty() ? 0 : log.lastKey(), term));
            } else if (kind < 18) {
                TreeMap<Long, Entry> log = model.of(region);
                op = new LogOp.Restart(region, (log.isEmpty() ? 1 : log.lastKey()) + random.nextInt(20));
            } else if (kind < 19) {
                op = new LogOp.Fence(region, RaftTruncatedState.newBuilder().setIndex(random.nextInt(1000)).setTerm(term).build());
            } else {
                op = new LogOp.Clear(region);
            }
            model.apply(op);
            batch.add(op);
        }
        return batch;
    }

    void assertHeldBy(RaftLogEngine engine, String context) {
        for (Map.Entry<Long, TreeMap<Long, Entry>> e : entries.entrySet()) {
            long r = e.getKey();
            TreeMap<Long, Entry> log = e.getValue();
            LogShape shape = engine.shape(r);
            assertEquals(log.size(), shape.size(), context + ": region " + r + " entry count");
            if (!log.isEmpty()) {
                assertEquals(log.firstKey(), shape.firstIndex(), context + ": region " + r + " first index");
                assertEquals(new ArrayList<>(log.values()),
                        engine.entries(r, log.firstKey(), log.lastKey() + 1, Long.MAX_VALUE), context + ": region " + r);
                long mid = log.firstKey() + (log.lastKey() - log.firstKey()) / 2;
                assertEquals(log.get(mid).getTerm(), engine.term(r, mid).getAsLong(), context + ": term of " + mid);
            }
            assertEquals(states.get(r), engine.state(r).orElse(null), context + ": region " + r + " state");
        }
        for (Map.Entry<Long, RaftTruncatedState> f : fences.entrySet()) {
            assertEquals(f.getValue(), engine.fence(f.getKey()).orElse(null), context + ": region " + f.getKey() + " fence");
        }
    }
}
