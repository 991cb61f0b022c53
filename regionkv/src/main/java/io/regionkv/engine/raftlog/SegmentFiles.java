package io.regionkv.engine.raftlog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of an {@link AppendLog}'s segment files: the segment's number, zero-padded so that the file
 * names sort as the numbers do, and a suffix of their own so that nothing else in the directory is taken
 * for a segment.
 */
final class SegmentFiles {
    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.raftlog");

    private SegmentFiles() {}

    static Path path(Path dir, long segment) {
        return dir.resolve(String.format("%020d.raftlog", segment));
    }

    static Optional<Long> segmentOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The segments in {@code dir}, by number. */
    static TreeMap<Long, Path> list(Path dir) throws IOException {
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> segmentOf(f).ifPresent(n -> segments.put(n, f)));
        }
        return segments;
    }

    /**
     * Makes a created or deleted file's directory entry durable: without it an OS crash can forget a new
     * segment whose data was synced, or bring back a deleted one.
     */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
