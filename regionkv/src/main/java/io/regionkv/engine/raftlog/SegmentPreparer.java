package io.regionkv.engine.raftlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the segment an {@link AppendLog} will start next ahead of time, as a file of zeros, in the
 * background.
 *
 * <p><b>Why.</b> An fdatasync after appending to the end of a file also writes the file's new size and
 * its newly allocated blocks (metadata the data cannot be read without); after overwriting blocks that
 * were already written, it writes the data alone. Measured on the 2-core benchmark machine (ext4), 6 KB
 * written and synced 2,000 times: about 150 µs of wall time and 60 µs of CPU per sync at the end of a
 * file, 100 µs and 45 µs over zeros written and synced before. Blocks only reserved
 * ({@code fallocate}) or a size only set ({@code ftruncate}) saved next to nothing: the first write
 * into them still changes the metadata. etcd preallocates its WAL segments, and raft-engine recycles its
 * log files, for the same reason. Every put waits for this sync on three stores (BENCHMARKS.md, "The next
 * segment written ahead as zeros").
 *
 * <p><b>Safety.</b> Zeros end a log: a record's header of zeros fails its checksum ({@link RecordFormat}),
 * so a segment whose records stop before its zeros replays as exactly those records, and opening cuts
 * the zeros off as it cuts a torn tail. A file is handed over only once it is whole and synced, under a
 * name no segment has; a file left by a crash or a cancelled job is deleted at the next open.
 *
 * <p><b>Cost.</b> The log's bytes reach the disk twice (as zeros, then as records), and the disk holds
 * one more segment. The next segment is prepared only once the current one is half full, so a log that
 * stays small (a test, an idle store) never writes one. The zeros are written from a thread of their own,
 * a chunk at a time with a sync after each, so that the raft-log writer's syncs never queue behind a
 * segment's worth of dirty pages.
 *
 * <p>Driven by the log's owner thread only; the background thread touches nothing but its own file.
 */
final class SegmentPreparer implements AutoCloseable {
    /**
     * {@code <segment's file name>.<job>.zeroed}: a name of each job's own, so that a cancelled job still
     * writing (it stops at its next chunk) never shares a file with a later job for the same segment.
     */
    private static final Pattern NAME = Pattern.compile("\\d{20}\\.raftlog\\.[0-9a-f]+\\.zeroed");
    /** Zeros written between two syncs of a file being prepared. */
    private static final int CHUNK_BYTES = 4 << 20;

    private final Path dir;
    private final long segmentBytes;
    private final Executor executor;
    /** The background thread, when this preparer made its own (shut down at close); null otherwise. */
    private final ThreadPoolExecutor ownThread;
    private Job job;
    private long jobs;

    private static final class Job {
        final long segment;
        final Path file;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        volatile boolean cancelled;

        Job(long segment, Path file) {
            this.segment = segment;
            this.file = file;
        }
    }

    /** Prepares segments on a thread of its own, started when first needed and gone when idle. */
    SegmentPreparer(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.ownThread = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "regionkv-raft-log-segment-preparer");
            t.setDaemon(true);
            return t;
        });
        this.executor = ownThread;
    }

    /** Prepares segments on {@code executor}: for tests that decide when a preparation runs. */
    SegmentPreparer(Path dir, long segmentBytes, Executor executor) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.ownThread = null;
        this.executor = executor;
    }

    /** Deletes what preparations that did not finish (a crash, a close) left in {@code dir}. */
    static void deleteLeftovers(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (NAME.matcher(f.getFileName().toString()).matches()) Files.deleteIfExists(f);
            }
        }
    }

    /** Starts preparing {@code segment}, unless it is being prepared or is ready already. */
    void prepare(long segment) {
        if (job != null) {
            if (job.segment == segment) return;
            cancel();
        }
        Job started = new Job(segment, dir.resolve(SegmentFiles.path(dir, segment).getFileName() + "."
                + Long.toHexString(++jobs) + Long.toHexString(System.nanoTime()) + ".zeroed"));
        job = started;
        try {
            executor.execute(() -> fill(started));
        } catch (RuntimeException rejected) {
            job = null; // the log then starts that segment as an empty file, as without a preparer
        }
    }

    /**
     * The file of zeros prepared for {@code segment}, handed over to the caller (who renames it), or null
     * when none is ready: a preparation still running is abandoned, and the caller creates the segment.
     */
    Path take(long segment) {
        if (job == null) return null;
        if (job.segment == segment && job.done.getNow(false)) {
            Path ready = job.file;
            job = null;
            return ready;
        }
        cancel();
        return null;
    }

    @Override
    public void close() {
        if (job != null) cancel();
        if (ownThread != null) ownThread.shutdown();
    }

    /** Stops the job and deletes its file once it has stopped writing, whenever that is. */
    private void cancel() {
        Job cancelled = job;
        job = null;
        cancelled.cancelled = true;
        cancelled.done.whenComplete((ok, e) -> deleteQuietly(cancelled.file));
    }

    /** The background part: writes {@code job}'s file whole, syncing a chunk at a time. */
    private void fill(Job job) {
        boolean whole = false;
        try (FileChannel channel = FileChannel.open(job.file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(CHUNK_BYTES, segmentBytes));
            long written = 0;
            while (written < segmentBytes && !job.cancelled) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), segmentBytes - written));
                while (zeros.hasRemaining()) written += channel.write(zeros, written);
                channel.force(false);
            }
            if (!job.cancelled) {
                channel.force(true); // the size and the blocks too: the file is handed over as it is
                whole = true;
            }
        } catch (IOException | RuntimeException e) {
            // A failed preparation costs only its speed-up: the log creates the segment itself, and a disk
            // that really fails shows there, where the failure stops the log.
            whole = false;
        }
        if (!whole) deleteQuietly(job.file);
        job.done.complete(whole);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // deleted at the next open (deleteLeftovers)
        }
    }
}
