package io.regionkv.engine.raftlog;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.engine.CorruptedDataException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one raft-log record: its ops one after the other, big-endian.
 * <pre>
 * op      := kind:u8 region:u64 body
 * Append  := kind 1, count:u32, firstIndex:u64, count × (term:u64, length:u32, Entry as protobuf)
 * State   := kind 2, length:u32, RaftLocalState as protobuf
 * Compact := kind 3, firstKept:u64
 * Clear   := kind 4
 * Restart := kind 5, firstIndex:u64
 * Fence   := kind 6, length:u32, RaftTruncatedState as protobuf
 * </pre>
 * Each entry's bytes sit whole in the payload, so the index can point at them and read one entry back
 * without decoding the rest of the record; its term is written beside it, so replaying the log at start
 * learns every entry's index and term without decoding any entry.
 */
final class LogRecordCodec {
    static final byte APPEND = 1;
    static final byte STATE = 2;
    static final byte COMPACT = 3;
    static final byte CLEAR = 4;
    static final byte RESTART = 5;
    static final byte FENCE = 6;

    private LogRecordCodec() {}

    /** One encoded entry: its index and term, and where its bytes start in the payload. */
    record EntrySlot(long index, long term, int offset, int length) {}

    /** An encoded payload, and for each op (in order) the slots of its entries (empty for other ops). */
    record Encoded(ByteBuffer payload, List<List<EntrySlot>> slots) {}

    static Encoded encode(List<LogOp> ops) {
        int size = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (LogOp op : ops) {
            size += 1 + 8;
            if (op instanceof LogOp.Append a) {
                size += 4 + 8;
                for (Entry e : a.entries()) {
                    byte[] b = e.toByteArray();
                    blobs.add(b);
                    size += 8 + 4 + b.length;
                }
            } else if (op instanceof LogOp.State s) {
                byte[] b = s.state().toByteArray();
                blobs.add(b);
                size += 4 + b.length;
            } else if (op instanceof LogOp.Fence f) {
                byte[] b = f.lastLostEntry().toByteArray();
                blobs.add(b);
                size += 4 + b.length;
            } else if (op instanceof LogOp.Compact || op instanceof LogOp.Restart) {
                size += 8;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        List<List<EntrySlot>> slots = new ArrayList<>(ops.size());
        int blob = 0;
        for (LogOp op : ops) {
            List<EntrySlot> opSlots = List.of();
            if (op instanceof LogOp.Append a) {
                out.put(APPEND).putLong(a.region()).putInt(a.entries().size()).putLong(a.entries().get(0).getIndex());
                opSlots = new ArrayList<>(a.entries().size());
                for (Entry e : a.entries()) {
                    byte[] b = blobs.get(blob++);
                    out.putLong(e.getTerm()).putInt(b.length);
                    opSlots.add(new EntrySlot(e.getIndex(), e.getTerm(), out.position(), b.length));
                    out.put(b);
                }
            } else if (op instanceof LogOp.State s) {
                byte[] b = blobs.get(blob++);
                out.put(STATE).putLong(s.region()).putInt(b.length).put(b);
            } else if (op instanceof LogOp.Compact c) {
                out.put(COMPACT).putLong(c.region()).putLong(c.firstKept());
            } else if (op instanceof LogOp.Clear c) {
                out.put(CLEAR).putLong(c.region());
            } else if (op instanceof LogOp.Restart r) {
                out.put(RESTART).putLong(r.region()).putLong(r.firstIndex());
            } else if (op instanceof LogOp.Fence f) {
                byte[] b = blobs.get(blob++);
                out.put(FENCE).putLong(f.region()).putInt(b.length).put(b);
            }
            slots.add(opSlots);
        }
        return new Encoded(out.flip(), slots);
    }

    /** Receives the ops of a payload; an append comes as the slots of its entries, not decoded. */
    interface OpVisitor {
        void append(long region, List<EntrySlot> entries);

        void state(long region, RaftLocalState state);

        void compact(long region, long firstKept);

        void clear(long region);

        void restart(long region, long firstIndex);

        void fence(long region, RaftTruncatedState lastLostEntry);
    }

    /**
     * Walks a payload in order.
     *
     * @throws CorruptedDataException if the payload does not decode (it passed its checksum, so this is a
     *     bug or a foreign format, not a torn write)
     */
    static void decode(ByteBuffer payload, OpVisitor visitor) {
        ByteBuffer in = payload.duplicate();
        int base = in.position();
        try {
            while (in.hasRemaining()) {
                byte kind = in.get();
                long region = in.getLong();
                if (kind == APPEND) {
                    int count = in.getInt();
                    long index = in.getLong();
                    if (count <= 0) throw new CorruptedDataException("raft log record: an append of " + count + " entries");
                    List<EntrySlot> slots = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        long term = in.getLong();
                        int length = in.getInt();
                        if (length < 0 || length > in.remaining()) {
                            throw new CorruptedDataException("raft log record: an entry of " + length + " bytes where "
                                    + in.remaining() + " remain");
                        }
                        slots.add(new EntrySlot(index + i, term, in.position() - base, length));
                        in.position(in.position() + length);
                    }
                    visitor.append(region, slots);
                } else if (kind == STATE) {
                    int length = in.getInt();
                    RaftLocalState state = RaftLocalState.parseFrom(in.slice().limit(length));
                    in.position(in.position() + length);
                    visitor.state(region, state);
                } else if (kind == COMPACT) {
                    visitor.compact(region, in.getLong());
                } else if (kind == CLEAR) {
                    visitor.clear(region);
                } else if (kind == RESTART) {
                    visitor.restart(region, in.getLong());
                } else if (kind == FENCE) {
                    int length = in.getInt();
                    RaftTruncatedState fence = RaftTruncatedState.parseFrom(in.slice().limit(length));
                    in.position(in.position() + length);
                    visitor.fence(region, fence);
                } else {
                    throw new CorruptedDataException("raft log record: unknown op kind " + kind);
                }
            }
        } catch (BufferUnderflowException | IllegalArgumentException | InvalidProtocolBufferException e) {
            throw new CorruptedDataException("raft log record does not decode", e);
        }
    }

    /** Decodes one entry's bytes as read back from its slot. */
    static Entry entry(ByteBuffer bytes, long region, long index) {
        try {
            return Entry.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedDataException("region " + region + ": raft log entry " + index + " does not decode", e);
        }
    }
}
