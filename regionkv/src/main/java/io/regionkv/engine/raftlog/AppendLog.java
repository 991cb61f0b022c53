package io.regionkv.engine.raftlog;

import io.regionkv.engine.CorruptedDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An append-only log of checksummed records in numbered segment files, synced in groups: the disk layout
 * of a store-wide raft log in the manner of TiKV's raft-engine. Each record is written once, after the
 * previous one, so a synced group costs the pages it fills and nothing else, whatever the number of
 * regions whose entries it carries; an LMDB B-tree keyed by region rewrites every region's tail leaf and
 * its branch pages instead (BENCHMARKS.md, "What a synced raft-log commit writes").
 *
 * <p>The log knows records, not raft: what a record holds and which records are still needed is its
 * owner's business. The owner appends, then {@link #sync}s before it acknowledges anything appended since
 * the last sync, and deletes whole segments that hold nothing it still needs ({@link #purgeBelow}).
 *
 * <p><b>Crash safety.</b> A segment that is full is synced before the next one is created, and the new
 * file's directory entry is synced too. So after an OS crash every segment but the last is whole, and the
 * last one is whole up to the last sync and may end in a torn record. Opening reads every record in order:
 * damage in an earlier segment is corruption ({@link CorruptedDataException}); in the last segment the
 * first record that is cut short or fails its checksum ends the log, and the file is truncated there.
 * Recovery cannot tell a torn write from a bit flipped later in the last segment's tail; like raft-engine's
 * default recovery mode it takes both for a torn tail. Only records appended after the last sync can be a
 * torn write, so nothing acknowledged is lost that way. A purge that a crash interrupted is finished at
 * open: segments before a gap in the numbering are deleted ({@link #finishInterruptedPurge}).
 *
 * <p><b>Zeros ahead.</b> Once the current segment is half full, the next one is written ahead of time as
 * a file of zeros ({@link SegmentPreparer}), so that the syncs into it write data and no metadata; zeros
 * end a log as a torn tail does. A segment is sealed at its last record's end, its zeros cut off.
 *
 * <p><b>Threads.</b> One owner appends, syncs, rotates and purges (the raft-log writer's thread). Any thread
 * may {@link #read} a record the owner told it about, also before it is synced; a purged segment's records
 * must not be read any more.
 */
public final class AppendLog implements AutoCloseable {
    /** Larger payloads are refused: a record is read back whole, and raft entries are far smaller. */
    public static final int MAX_PAYLOAD_BYTES = 64 << 20;

    private final Path dir;
    private final long segmentBytes;
    /** Every segment on disk, open for positional reads; the last one is also appended to. */
    private final ConcurrentSkipListMap<Long, FileChannel> segments = new ConcurrentSkipListMap<>();
    private final SegmentPreparer preparer;
    private long current;
    /** Where the current segment's records end (its file may hold zeros beyond). */
    private volatile long currentSize;
    private boolean unsynced;
    private boolean closed;

    private AppendLog(Path dir, long segmentBytes, SegmentPreparer preparer) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.preparer = preparer;
    }

    /**
     * Opens the log in {@code dir} (created if missing), hands every intact record to {@code visitor} in
     * append order, and cuts a torn tail off the last segment. A record starts a new segment once the
     * current one holds {@code segmentBytes} or more.
     *
     * @throws CorruptedDataException if a segment other than the last is damaged
     */
    public static AppendLog open(Path dir, long segmentBytes, RecordVisitor visitor) {
        return open(dir, segmentBytes, visitor, new SegmentPreparer(dir, segmentBytes));
    }

    /** As {@link #open(Path, long, RecordVisitor)}, with the next segments prepared by {@code preparer}. */
    static AppendLog open(Path dir, long segmentBytes, RecordVisitor visitor, SegmentPreparer preparer) {
        if (segmentBytes < RecordFormat.HEADER_BYTES + 1) {
            preparer.close();
            throw new IllegalArgumentException("segment size " + segmentBytes + " cannot hold a record");
        }
        AppendLog log = new AppendLog(dir, segmentBytes, preparer);
        try {
            Files.createDirectories(dir);
            SegmentPreparer.deleteLeftovers(dir);
            log.recover(visitor);
        } catch (IOException e) {
            log.close();
            throw new UncheckedIOException("cannot open the append log in " + dir, e);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private void recover(RecordVisitor visitor) throws IOException {
        TreeMap<Long, Path> files = SegmentFiles.list(dir);
        if (files.isEmpty()) {
            startSegment(1);
            return;
        }
        finishInterruptedPurge(files);
        for (Map.Entry<Long, Path> file : files.entrySet()) {
            boolean last = file.getKey().equals(files.lastKey());
            FileChannel channel = FileChannel.open(file.getValue(), last
                    ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.READ});
            segments.put(file.getKey(), channel);
            long end = replay(file.getKey(), channel, visitor);
            long size = channel.size();
            if (end < size) {
                if (!last) {
                    throw new CorruptedDataException("append log " + dir + ": segment " + file.getKey()
                            + " is damaged at offset " + end + " of " + size + ", and later segments exist");
                }
                channel.truncate(end);
                channel.force(true);
            }
            if (last) {
                current = file.getKey();
                currentSize = end;
            }
        }
    }

    /**
     * Deletes the segments before a gap in the numbering. Only {@link #purgeBelow} deletes segments, and
     * always the oldest ones, so a missing number means that everything below it was being purged: an OS
     * crash before the directory was synced can bring back some of those files and not others. Replaying
     * them would resurrect records the log had given up, out of the order they were written in.
     */
    private void finishInterruptedPurge(TreeMap<Long, Path> files) throws IOException {
        long expected = files.lastKey();
        Long gapBelow = null;
        for (Long segment : files.descendingKeySet()) {
            if (segment != expected) {
                gapBelow = segment;
                break;
            }
            expected--;
        }
        if (gapBelow == null) return;
        for (Map.Entry<Long, Path> leftover : new TreeMap<>(files.headMap(gapBelow, true)).entrySet()) {
            Files.deleteIfExists(leftover.getValue());
            files.remove(leftover.getKey());
        }
        SegmentFiles.syncDirectory(dir);
    }

    /** Visits the intact records of one segment from its start; answers the offset where they end. */
    private long replay(long segment, FileChannel channel, RecordVisitor visitor) throws IOException {
        long size = channel.size();
        long offset = 0;
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.HEADER_BYTES);
        while (size - offset >= RecordFormat.HEADER_BYTES) {
            header.clear();
            readFully(channel, header, offset);
            int length = header.getInt(0);
            int checksum = header.getInt(4);
            if (length <= 0 || length > MAX_PAYLOAD_BYTES || length > size - offset - RecordFormat.HEADER_BYTES) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(channel, payload, offset + RecordFormat.HEADER_BYTES);
            payload.flip();
            if (RecordFormat.checksum(length, payload) != checksum) {
                break;
            }
            visitor.visit(new RecordPosition(segment, offset, length), payload.asReadOnlyBuffer());
            offset += RecordFormat.HEADER_BYTES + length;
        }
        return offset;
    }

    /**
     * Appends {@code payload}'s remaining bytes as one record and answers where it lies. The record is in
     * the file (readable) but not durable until the next {@link #sync}.
     */
    public RecordPosition append(ByteBuffer payload) {
        checkOpen();
        int length = payload.remaining();
        if (length == 0 || length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("a record's payload holds 1 to " + MAX_PAYLOAD_BYTES + " bytes, not " + length);
        }
        try {
            if (currentSize > 0 && currentSize + RecordFormat.HEADER_BYTES + length > segmentBytes) {
                rotate();
            }
            FileChannel channel = segments.get(current);
            ByteBuffer[] parts = {RecordFormat.header(payload), payload.duplicate()};
            long offset = currentSize;
            long written = 0;
            long total = RecordFormat.HEADER_BYTES + (long) length;
            channel.position(offset);
            while (written < total) {
                written += channel.write(parts);
            }
            currentSize += total;
            unsynced = true;
            if (currentSize >= segmentBytes / 2) preparer.prepare(current + 1);
            return new RecordPosition(current, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to segment " + current + " of " + dir, e);
        }
    }

    /** Makes every record appended so far durable (fdatasync of the current segment). */
    public void sync() {
        checkOpen();
        if (!unsynced) return;
        try {
            segments.get(current).force(false);
            unsynced = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync segment " + current + " of " + dir, e);
        }
    }

    /** Seals the current segment (synced whole) and starts the next one (its directory entry synced). */
    private void rotate() throws IOException {
        // A failed append may have left bytes past the last record; in a sealed segment they would read as
        // damage at the next open, so they go.
        segments.get(current).truncate(currentSize);
        segments.get(current).force(false);
        unsynced = false;
        startSegment(current + 1);
    }

    private void startSegment(long segment) throws IOException {
        Path file = SegmentFiles.path(dir, segment);
        Path zeroed = preparer.take(segment);
        if (zeroed != null) {
            // No REPLACE_EXISTING: a name already taken fails here as CREATE_NEW fails below.
            Files.move(zeroed, file);
        }
        FileChannel channel = zeroed != null
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        segments.put(segment, channel);
        SegmentFiles.syncDirectory(dir);
        current = segment;
        currentSize = 0;
    }

    /** Reads back the payload of the record at {@code position}; any thread may call this. */
    public ByteBuffer read(RecordPosition position) {
        return readAt(position.segment(), position.payloadOffset(), position.length());
    }

    /** Reads {@code length} bytes at {@code offset} of {@code segment}: a part of a record, as an index points at it. */
    public ByteBuffer readAt(long segment, long offset, int length) {
        FileChannel channel = segments.get(segment);
        if (channel == null) {
            throw new IllegalArgumentException("segment " + segment + " of " + dir + " is not in the log");
        }
        ByteBuffer bytes = ByteBuffer.allocate(length);
        try {
            readFully(channel, bytes, offset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + length + " bytes at " + offset + " of segment " + segment
                    + " of " + dir, e);
        }
        return bytes.flip();
    }

    /**
     * Deletes every segment numbered below {@code segment}; the current segment always stays. The owner
     * calls this once nothing it needs lies in those segments.
     */
    public void purgeBelow(long segment) {
        checkOpen();
        long below = Math.min(segment, current);
        boolean deleted = false;
        try {
            for (Map.Entry<Long, FileChannel> old : segments.headMap(below).entrySet()) {
                old.getValue().close();
                segments.remove(old.getKey());
                Files.deleteIfExists(SegmentFiles.path(dir, old.getKey()));
                deleted = true;
            }
            if (deleted) SegmentFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot purge segments below " + below + " of " + dir, e);
        }
    }

    /** The segment records are appended to. */
    public long currentSegment() {
        return current;
    }

    /** The oldest segment still on disk. */
    public long firstSegment() {
        return segments.firstKey();
    }

    /** Bytes of the records in the segments on disk, the current one included (not its zeros ahead). */
    public long sizeBytes() {
        long size = currentSize;
        for (FileChannel channel : segments.headMap(current).values()) {
            try {
                size += channel.size();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot size the segments of " + dir, e);
            }
        }
        return size;
    }

    /** Closes the files without syncing: what was not synced is as a crash would leave it. */
    @Override
    public void close() {
        closed = true;
        preparer.close();
        for (FileChannel channel : segments.values()) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read-only or already failed channel: nothing left to save
            }
        }
        segments.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the append log in " + dir + " is closed");
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long offset) throws IOException {
        long at = offset;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) throw new IOException("unexpected end of file at offset " + at);
            at += n;
        }
    }
}
