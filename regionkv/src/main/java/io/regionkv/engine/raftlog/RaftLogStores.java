package io.regionkv.engine.raftlog;

import io.regionkv.engine.EngineConfig;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a store's raft log in the layout its settings name, first moving over the raft logs a store left in
 * the other layout (a store that changed {@code regionkv.engine.raft-log}).
 *
 * <p>The move is crash-safe: the logs are copied into {@code <layout dir>.moving}, which is synced and then
 * renamed to the layout's directory; only then is the old directory deleted. A crash before the rename
 * leaves the old directory whole (the next start copies again); one after it leaves both, and the old one
 * is a leftover.
 */
public final class RaftLogStores {
    private static final Logger LOG = LoggerFactory.getLogger(RaftLogStores.class);
    /** Entries copied per record while moving: bounded so no record nears the append log's payload limit. */
    private static final int MOVE_ENTRIES_PER_BATCH = 4096;

    private RaftLogStores() {}

    /** The raft log of the store in {@code dataDir}, in {@code config.raftLog()}'s layout. */
    public static RaftLogStore open(Path dataDir, EngineConfig config) {
        RaftLogLayout wanted = config.raftLog();
        RaftLogLayout other = wanted == RaftLogLayout.LMDB ? RaftLogLayout.APPEND : RaftLogLayout.LMDB;
        Path target = dataDir.resolve(wanted.dirName());
        Path old = dataDir.resolve(other.dirName());
        if (Files.exists(old)) {
            if (!Files.exists(target)) moveOver(old, other, target, config);
            LOG.info("deleting {}: its raft logs are in {} now", old, target);
            deleteTree(old);
        }
        return openLayout(wanted, target, config);
    }

    /** Opens the given layout in {@code dir}. */
    public static RaftLogStore openLayout(RaftLogLayout layout, Path dir, EngineConfig config) {
        return switch (layout) {
            case LMDB -> LmdbRaftLog.open(dir, config);
            case APPEND -> AppendRaftLog.open(dir, config.syncOnCommit(), config.raftLogSegmentBytes());
        };
    }

    private static void moveOver(Path from, RaftLogLayout fromLayout, Path target, EngineConfig config) {
        Path moving = target.resolveSibling(target.getFileName() + ".moving");
        if (Files.exists(moving)) deleteTree(moving); // a move a crash interrupted
        long regions;
        try (RaftLogStore source = openLayout(fromLayout, from, config);
                RaftLogStore dest = openLayout(config.raftLog(), moving, config.withSyncOnCommit(true))) {
            regions = copy(source, dest);
        }
        syncTree(moving);
        try {
            Files.move(moving, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + moving + " to " + target, e);
        }
        syncDir(target.getParent());
        LOG.info("moved the raft logs of {} regions from {} to {}", regions, from, target);
    }

    /** Copies every region's entries, raft state and vote fence; answers how many regions. */
    static long copy(RaftLogStore source, RaftLogStore dest) {
        long count = 0;
        for (long region : source.regions()) {
            count++;
            LogShape shape = source.shape(region);
            long next = shape.firstIndex();
            long end = shape.lastIndex() + 1;
            do {
                RaftLogBatch batch = new RaftLogBatch();
                if (next < end) {
                    List<Entry> entries = source.entries(region, next, Math.min(end, next + MOVE_ENTRIES_PER_BATCH),
                            Long.MAX_VALUE);
                    batch.append(region, entries);
                    next += entries.size();
                }
                if (next >= end) {
                    RaftLocalState state = source.state(region);
                    if (state != null) batch.state(region, state);
                    RaftTruncatedState fence = source.fence(region);
                    if (fence.getIndex() > 0) batch.fence(region, fence);
                }
                if (!batch.isEmpty()) dest.commitAll(List.of(batch));
            } while (next < end);
        }
        return count;
    }

    private static void syncTree(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + dir, e);
        }
        syncDir(dir);
    }

    static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
        syncDir(root.getParent());
    }

    private static void syncDir(Path dir) {
        try {
            SegmentFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync directory " + dir, e);
        }
    }
}
