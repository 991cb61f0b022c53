package io.regionkv.engine.raftlog;

/**
 * Where one record of an {@link AppendLog} lies: the segment that holds it, the offset of its header in
 * that segment's file, and the length of its payload. An in-memory index keeps these to read a record
 * back without scanning.
 */
public record RecordPosition(long segment, long offset, int length) {

    /** The offset of the payload, just after the record's header. */
    public long payloadOffset() {
        return offset + RecordFormat.HEADER_BYTES;
    }

    /** The offset just after the record: where the next one starts. */
    public long end() {
        return payloadOffset() + length;
    }
}
