package io.regionkv.store.snapshot;

import io.regionkv.engine.Db;
import io.regionkv.engine.WriteBatch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The content of a snapshot file: a sequence of {@code (column family, key, value)} records, each
 * {@code [cf ordinal: 1 byte][key length: int][key][value length: int][value]}. The file's CRC32C travels
 * in the snapshot metadata, so a receiver can check a streamed copy before anything is applied.
 */
public final class SnapshotFormat {

    /** Every column family a region's data lives in; {@code sys} too, so system state moves with its region. */
    public static final Db[] COLUMN_FAMILIES = {Db.DEFAULT, Db.LOCK, Db.WRITE, Db.SYS};

    private SnapshotFormat() {}

    /** Writes records; {@link #finish()} flushes, fsyncs and answers the checksum. */
    static final class Writer implements AutoCloseable {
        // A FileChannel, not Files.newOutputStream: that stream is no FileOutputStream and offers no fsync.
        private final FileChannel file;
        private final CRC32C crc = new CRC32C();
        private final DataOutputStream out;
        private long records;

        Writer(Path path) throws IOException {
            this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.out = new DataOutputStream(new BufferedOutputStream(
                    new CheckedOutputStream(Channels.newOutputStream(file), crc), 1 << 16));
        }

        void write(Db cf, byte[] key, byte[] value) throws IOException {
            out.writeByte(cf.ordinal());
            out.writeInt(key.length);
            out.write(key);
            out.writeInt(value.length);
            out.write(value);
            records++;
        }

        long records() {
            return records;
        }

        /** Flushes to disk (fsync) and answers the CRC32C of everything written. */
        int finish() throws IOException {
            out.flush();
            file.force(true);
            return (int) crc.getValue();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    interface RecordVisitor {
        void visit(Db cf, byte[] key, byte[] value) throws IOException;
    }

    /**
     * Reads every record of {@code path}, then checks the whole file against {@code checksum}.
     *
     * @throws IOException if the file is truncated, malformed, or its checksum does not match
     */
    static void read(Path path, int checksum, RecordVisitor visitor) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(path);
                DataInputStream in = new DataInputStream(new BufferedInputStream(new CheckedInputStream(raw, crc), 1 << 16))) {
            while (true) {
                int cf = in.read();
                if (cf < 0) break;
                if (cf >= Db.values().length || !Db.values()[cf].isColumnFamily()) {
                    throw new IOException("snapshot " + path.getFileName() + ": bad column family " + cf);
                }
                byte[] key = readBytes(in, path);
                byte[] value = readBytes(in, path);
                visitor.visit(Db.values()[cf], key, value);
            }
        }
        if ((int) crc.getValue() != checksum) {
            throw new IOException("snapshot " + path.getFileName() + ": checksum mismatch");
        }
    }

    /**
     * Reads a snapshot file a bounded batch at a time, so that installing a region needs heap for one batch,
     * not for the region. The checksum covers the whole file, so it is known only at the end: {@link #next}
     * answers false once the file is read and its checksum matched.
     */
    static final class Reader implements AutoCloseable {
        private final Path path;
        private final int checksum;
        private final CRC32C crc = new CRC32C();
        private final DataInputStream in;
        private boolean done;

        Reader(Path path, int checksum) throws IOException {
            this.path = path;
            this.checksum = checksum;
            this.in = new DataInputStream(new BufferedInputStream(new CheckedInputStream(Files.newInputStream(path), crc),
                    1 << 16));
        }

        /**
         * Adds records to {@code batch} until it holds at least {@code maxBytes} (one record may overshoot)
         * or the file ends. Answers whether more may follow.
         *
         * @throws IOException if the file is truncated, malformed, or (at its end) its checksum does not match
         */
        boolean next(WriteBatch batch, long maxBytes) throws IOException {
            if (done) return false;
            while (batch.approximateSize() < maxBytes) {
                int cf = in.read();
                if (cf < 0) {
                    done = true;
                    if ((int) crc.getValue() != checksum) {
                        throw new IOException("snapshot " + path.getFileName() + ": checksum mismatch");
                    }
                    return false;
                }
                if (cf >= Db.values().length || !Db.values()[cf].isColumnFamily()) {
                    throw new IOException("snapshot " + path.getFileName() + ": bad column family " + cf);
                }
                byte[] key = readBytes(in, path);
                byte[] value = readBytes(in, path);
                batch.put(Db.values()[cf], key, value);
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static byte[] readBytes(DataInputStream in, Path path) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) throw new IOException("snapshot " + path.getFileName() + ": bad length " + n);
        byte[] b = new byte[n];
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new IOException("snapshot " + path.getFileName() + " is truncated", e);
        }
        return b;
    }

    /**
     * Renames a complete, fsynced {@code tmp} file to {@code target} atomically and fsyncs their directory,
     * so that the new name survives an OS crash too (a rename is a change of the directory, not the file).
     */
    static void publish(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The CRC32C of a whole file. */
    static int checksumOf(Path path) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            int n;
            while ((n = in.read(buf)) > 0) crc.update(buf, 0, n);
        }
        return (int) crc.getValue();
    }
}
