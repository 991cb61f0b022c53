package io.regionkv.engine.raftlog;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One record on disk: a header of two big-endian 32-bit words, the payload's length and a CRC-32C, then
 * the payload. The checksum covers the length word as well as the payload, so a torn or zeroed header
 * (a crash inside a write, or space the file system filled with zeros) never passes for a record: the
 * checksum of four zero bytes is not zero. Payloads are never empty, for the same reason.
 */
final class RecordFormat {
    static final int HEADER_BYTES = 8;

    private RecordFormat() {}

    static ByteBuffer header(ByteBuffer payload) {
        int length = payload.remaining();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(length).putInt(checksum(length, payload)).flip();
        return header;
    }

    /** The checksum of a record of {@code length} bytes whose payload is {@code payload}'s remaining bytes. */
    static int checksum(int length, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(0, length));
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }
}
