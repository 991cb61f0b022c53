package io.regionkv.raft;

import static io.regionkv.raft.RaftTestUtil.entry;
import static io.regionkv.raft.RaftTestUtil.storageWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory {@link Storage} (TinyKV's storage_test cases). */
class MemoryStorageTest {

    /** Entries 4, 5 with a dummy entry at 3 (term 3). */
    private static MemoryStorage compactedAt3() {
        MemoryStorage s = storageWith(entry(1, 1), entry(2, 2), entry(3, 3), entry(4, 4), entry(5, 5));
        s.compact(3);
        return s;
    }

    @Test
    void term() {
        MemoryStorage s = compactedAt3();
        assertThrows(CompactedException.class, () -> s.term(2));
        assertEquals(3, s.term(3));
        assertEquals(4, s.term(4));
        assertEquals(5, s.term(5));
        assertThrows(UnavailableException.class, () -> s.term(6));
    }

    @Test
    void entries() {
        MemoryStorage s = compactedAt3();
        long size = entry(4, 4).getSerializedSize();
        assertThrows(CompactedException.class, () -> s.entries(2, 6, Long.MAX_VALUE));
        assertThrows(CompactedException.class, () -> s.entries(3, 4, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4)), s.entries(4, 5, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4), entry(5, 5)), s.entries(4, 6, Long.MAX_VALUE));
        assertEquals(List.of(entry(4, 4)), s.entries(4, 6, 0));
        assertEquals(List.of(entry(4, 4)), s.entries(4, 6, size));
        assertEquals(List.of(entry(4, 4), entry(5, 5)), s.entries(4, 6, 2 * size));
        assertThrows(UnavailableException.class, () -> s.entries(4, 7, Long.MAX_VALUE));
    }

    @Test
    void firstAndLastIndex() {
        MemoryStorage s = compactedAt3();
        assertEquals(4, s.firstIndex());
        assertEquals(5, s.lastIndex());
        s.append(List.of(entry(6, 5)));
        assertEquals(6, s.lastIndex());
        s.compact(4);
        assertEquals(5, s.firstIndex());
    }

    @Test
    void compact() {
        MemoryStorage s = compactedAt3();
        assertThrows(CompactedException.class, () -> s.compact(2));
        assertThrows(CompactedException.class, () -> s.compact(3));
        assertThrows(IllegalArgumentException.class, () -> s.compact(6));
        s.compact(4);
        assertEquals(4, s.term(4));
        assertEquals(5, s.firstIndex());
        s.compact(5);
        assertEquals(6, s.firstIndex());
        assertEquals(5, s.lastIndex());
    }

    @Test
    void createSnapshotAndApply() {
        MemoryStorage s = compactedAt3();
        ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
        ByteString data = ByteString.copyFromUtf8("data");
        Snapshot snap = s.createSnapshot(4, cs, data);
        assertEquals(SnapshotMetadata.newBuilder().setIndex(4).setTerm(4).setConfState(cs).build(), snap.getMetadata());
        assertEquals(data, s.snapshot().getData());
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(4, cs, data));
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(6, cs, data));

        MemoryStorage fresh = new MemoryStorage();
        fresh.applySnapshot(snap);
        assertEquals(5, fresh.firstIndex());
        assertEquals(4, fresh.lastIndex());
        assertEquals(4, fresh.term(4));
        assertEquals(cs, fresh.initialState().confState());
        assertThrows(IllegalArgumentException.class, () -> fresh.applySnapshot(snap));
    }

    @Test
    void append() {
        record Case(List<Entry> ents, List<Entry> want, boolean error) {}
        List<Case> cases = List.of(
                new Case(List.of(entry(3, 3), entry(4, 4), entry(5, 5)),
                        List.of(entry(3, 3), entry(4, 4), entry(5, 5)), false),
                new Case(List.of(entry(3, 3), entry(4, 6), entry(5, 6)),
                        List.of(entry(3, 3), entry(4, 6), entry(5, 6)), false),
                new Case(List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5)),
                        List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5)), false),
                // entries below the first index are ignored
                new Case(List.of(entry(2, 3), entry(3, 3), entry(4, 5)),
                        List.of(entry(3, 3), entry(4, 5)), false),
                // truncate the existing tail
                new Case(List.of(entry(4, 5)), List.of(entry(3, 3), entry(4, 5)), false),
                // direct append
                new Case(List.of(entry(6, 5)), List.of(entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5)), false),
                // a gap is an error
                new Case(List.of(entry(7, 5)), null, true));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            MemoryStorage s = storageWith(entry(1, 1), entry(2, 2), entry(3, 3), entry(4, 4), entry(5, 5));
            s.compact(3);
            if (c.error) {
                assertThrows(IllegalArgumentException.class, () -> s.append(c.ents), "#" + i);
                continue;
            }
            s.append(c.ents);
            List<Entry> all = new java.util.ArrayList<>();
            all.add(entry(3, s.term(3)));
            all.addAll(s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE));
            assertEquals(c.want, all, "#" + i);
        }
    }
}
