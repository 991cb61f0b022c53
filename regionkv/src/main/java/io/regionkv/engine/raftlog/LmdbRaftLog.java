package io.regionkv.engine.raftlog;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.engine.CorruptedDataException;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.KeyValue;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The raft logs as keys of an LMDB environment ({@link Keys}: entries under region and index, raft state
 * and vote fence under the region). Every commit is one LMDB transaction, fsynced; the ops of a batch
 * become puts and range deletes ({@link LmdbLogOps}). Reads open a short read view each: an open view keeps
 * the map from growing.
 */
public final class LmdbRaftLog implements RaftLogStore {
    private final Engine engine;

    private LmdbRaftLog(Engine engine) {
        if (engine.kind() != EngineKind.RAFT) {
            throw new IllegalArgumentException("the raft log needs the raft environment, got " + engine);
        }
        this.engine = engine;
    }

    /** Opens (creating if needed) the raft environment in {@code dir}. */
    public static LmdbRaftLog open(Path dir, EngineConfig config) {
        return new LmdbRaftLog(Engine.open(EngineKind.RAFT, dir, config));
    }

    /** Over an environment already open; closing this closes it. */
    public static LmdbRaftLog over(Engine raftEngine) {
        return new LmdbRaftLog(raftEngine);
    }

    /** The LMDB environment underneath: for its map bound ({@code Engine.setMaxMapSize}) and for tests. */
    public Engine engine() {
        return engine;
    }

    @Override
    public RaftLogLayout layout() {
        return RaftLogLayout.LMDB;
    }

    @Override
    public Path dir() {
        return engine.dir();
    }

    @Override
    public long commitAll(List<RaftLogBatch> batches) {
        List<WriteBatch> writes = new ArrayList<>(batches.size());
        for (RaftLogBatch batch : batches) writes.add(LmdbLogOps.addTo(batch.ops(), new WriteBatch()));
        return engine.commitAll(writes);
    }

    @Override
    public RaftLocalState state(long region) {
        try (ReadView view = engine.readView()) {
            return view.get(Db.RAFT, Keys.raftStateKey(region), RaftLocalState.parser());
        }
    }

    @Override
    public RaftTruncatedState fence(long region) {
        RaftTruncatedState fence;
        try (ReadView view = engine.readView()) {
            fence = view.get(Db.RAFT, Keys.voteFenceKey(region), RaftTruncatedState.parser());
        }
        return fence == null ? RaftTruncatedState.getDefaultInstance() : fence;
    }

    @Override
    public List<Entry> entries(long region, long lo, long hi, long maxBytes) {
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 256));
        if (lo >= hi) return out;
        long[] size = {0};
        boolean[] cut = {false};
        try (ReadView view = engine.readView()) {
            view.forEach(Db.RAFT, Keys.raftLogKey(region, lo), Keys.raftLogKey(region, hi), false, (key, value) -> {
                size[0] += value.length;
                if (!out.isEmpty() && size[0] > maxBytes) {
                    cut[0] = true;
                    return false;
                }
                Entry entry = parse(region, key, value);
                long expected = lo + out.size();
                if (entry.getIndex() != expected) {
                    throw new CorruptedDataException("region " + region + ": log hole, found entry " + entry.getIndex()
                            + " where " + expected + " was expected");
                }
                out.add(entry);
                return true;
            });
        }
        if (!cut[0] && out.size() != hi - lo) {
            throw new CorruptedDataException("region " + region + ": entries [" + lo + ", " + hi + ") expected, found "
                    + out.size() + " from " + lo);
        }
        return out;
    }

    @Override
    public OptionalLong term(long region, long index) {
        byte[] key = Keys.raftLogKey(region, index);
        byte[] value;
        try (ReadView view = engine.readView()) {
            value = view.get(Db.RAFT, key);
        }
        return value == null ? OptionalLong.empty() : OptionalLong.of(parse(region, key, value).getTerm());
    }

    @Override
    public LogShape shape(long region) {
        KeySpan span = Keys.raftLogSpan(region);
        try (ReadView view = engine.readView()) {
            List<KeyValue> first = view.scan(Db.RAFT, span, 1);
            if (first.isEmpty()) return LogShape.EMPTY;
            List<KeyValue> last = view.scanBackward(Db.RAFT, span.start(), span.end(), 1);
            long lo = Keys.raftLogIndex(first.get(0).key());
            return new LogShape(lo, Keys.raftLogIndex(last.get(0).key()) - lo + 1);
        }
    }

    /** One seek per region: from the first key of a region to the first key past it. */
    @Override
    public Set<Long> regions() {
        Set<Long> out = new TreeSet<>();
        KeySpan all = Keys.regionRaftSpan();
        byte[] from = all.start();
        try (ReadView view = engine.readView()) {
            while (true) {
                List<KeyValue> next = view.scan(Db.RAFT, from, all.end(), 1);
                if (next.isEmpty()) return out;
                long region = ByteBuffer.wrap(next.get(0).key(), 1, 8).getLong();
                out.add(region);
                if (region == -1L) return out;
                from = ByteBuffer.allocate(9).put(all.start()[0]).putLong(region + 1).array();
            }
        }
    }

    @Override
    public boolean isEmpty() {
        try (ReadView view = engine.readView()) {
            return view.scan(Db.RAFT, KeySpan.ALL, 1).isEmpty();
        }
    }

    @Override
    public String shortOfRoom(long reserve) {
        long headroom = engine.headroom();
        if (headroom >= reserve) return null;
        return "the " + engine.kind().dirName() + " map has " + Math.max(0, headroom) + " bytes left below its bound of "
                + engine.maxMapSize() + ", less than the reserve of " + reserve;
    }

    private static Entry parse(long region, byte[] key, byte[] value) {
        try {
            return Entry.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedDataException("region " + region + ": undecodable entry " + Keys.raftLogIndex(key), e);
        }
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
