package io.regionkv.store.snapshot;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.proto.RaftServerpb.SnapshotCFFile;
import io.regionkv.proto.RaftServerpb.SnapshotMeta;
import io.regionkv.store.Meta;
import io.regionkv.store.PeerCommand;
import io.regionkv.store.PeerStorage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A peer's snapshot child, on the io dispatcher: builds snapshots from one LMDB read transaction into a
 * checksummed file, turns a received snapshot file into the kv batch that replaces the region's data, and
 * deletes snapshot files no longer needed ({@code GcSnap}). It never writes LMDB: the batch goes back to
 * the peer, which hands it to the kv writer like any apply.
 */
public final class SnapshotWorker {

    public sealed interface Command {}

    /** Build a snapshot of the region as applied now. */
    public record Generate(long regionId) implements Command {}

    /** Check the received file of {@code snapshot} (whole, checksum) before raft is stepped with it. */
    public record Check(Snapshot snapshot) implements Command {}

    /**
     * The next batch of about {@code maxBytes} of the received file of {@code snapshot}, for its install
     * (answered with {@link PeerCommand.SnapshotChunkRead}). The file stays open between batches.
     */
    public record ReadChunk(Snapshot snapshot, long maxBytes) implements Command {}

    /** Delete this region's generated files older than {@code keepGenerated}, and received ones up to {@code applied}. */
    public record Gc(long regionId, long keepGenerated, long applied) implements Command {}

    /** The one-file marker of a snapshot's data in {@link SnapshotMeta}. */
    static final String ALL_CFS = "all";

    /**
     * Test-only: runs on a received snapshot file each time it is read for an install (the check, then
     * every batch), so that a test can corrupt it there or make the read fail. Does nothing otherwise.
     */
    static volatile java.util.function.Consumer<Path> beforeInstallRead = file -> {};

    private SnapshotWorker() {}

    public static Behavior<Command> create(Engines engines, Path dataDir, ActorRef<PeerCommand> peer) {
        return Behaviors.setup(ctx -> {
            InstallReader reader = new InstallReader(dataDir);
            return Behaviors.receive(Command.class)
                    .onMessage(Generate.class, g -> {
                        peer.tell(generate(engines, dataDir, g.regionId()));
                        return Behaviors.same();
                    })
                    .onMessage(Check.class, c -> {
                        peer.tell(check(dataDir, c.snapshot()));
                        return Behaviors.same();
                    })
                    .onMessage(ReadChunk.class, r -> {
                        peer.tell(reader.next(r.snapshot(), r.maxBytes()));
                        return Behaviors.same();
                    })
                    .onMessage(Gc.class, gc -> {
                        collect(dataDir, gc);
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, s -> {
                        reader.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** The received file an install is reading, kept open between its batches. */
    private static final class InstallReader {
        private final Path dataDir;
        private Snapshot reading;
        private SnapshotFormat.Reader reader;

        InstallReader(Path dataDir) {
            this.dataDir = dataDir;
        }

        PeerCommand.SnapshotChunkRead next(Snapshot snapshot, long maxBytes) {
            try {
                RaftSnapshotData data = RaftSnapshotData.parseFrom(snapshot.getData());
                Path file = receivedFile(dataDir, snapshot, data);
                beforeInstallRead.accept(file);
                if (reader == null || !snapshot.equals(reading)) {
                    close();
                    reader = new SnapshotFormat.Reader(file, data.getMeta().getCfFiles(0).getChecksum());
                    reading = snapshot;
                }
                WriteBatch batch = new WriteBatch();
                boolean more = reader.next(batch, maxBytes);
                if (!more) close();
                return new PeerCommand.SnapshotChunkRead(batch, more, null);
            } catch (IOException | RuntimeException e) {
                close();
                return new PeerCommand.SnapshotChunkRead(null, false, e);
            }
        }

        void close() {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // only read from: nothing to lose
                }
            }
            reader = null;
            reading = null;
        }
    }

    static Path receivedFile(Path dataDir, Snapshot snapshot, RaftSnapshotData data) {
        SnapshotMetadata md = snapshot.getMetadata();
        return SnapshotFiles.received(dataDir, data.getRegion().getId(), md.getTerm(), md.getIndex());
    }

    /** How often a dump gives way to map growth before it reports failure (the peer asks again later). */
    private static final int DUMP_ATTEMPTS = 8;
    /** Records between two looks at whether map growth waits for the dump's view. */
    private static final int GROWTH_CHECK_RECORDS = 1024;

    /**
     * Dumps the region as applied now into a checksummed file. The kv view is the snapshot's consistent
     * point, so it stays open for the whole dump; but an open view holds back map growth, and new views
     * (every peer's reads) wait behind a pending growth. So when growth waits, the dump gives way: it drops
     * its file and view and starts again from a fresh view (at a possibly newer applied index). Growth
     * doubles the map, so that happens rarely.
     */
    static PeerCommand generate(Engines engines, Path dataDir, long regionId) {
        for (int attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
            PeerCommand done = generateOnce(engines, dataDir, regionId);
            if (done != null) return done;
        }
        return new PeerCommand.SnapshotGenerated(null, "snapshot of region " + regionId + " gave way to map growth "
                + DUMP_ATTEMPTS + " times");
    }

    /** One attempt of {@link #generate}; null when it gave way to map growth. */
    private static PeerCommand generateOnce(Engines engines, Path dataDir, long regionId) {
        // The raft view is held only for the one term look-up, since an open view keeps the raft-log writer
        // from growing its map.
        try (ReadView kv = engines.kv().readView()) {
            RaftApplyState apply = Meta.applyState(kv, regionId);
            RegionLocalState state = Meta.regionLocalState(kv, regionId);
            if (apply == null || state == null || state.getState() != PeerState.Normal) {
                return new PeerCommand.SnapshotGenerated(null, "region " + regionId + " has no state to snapshot");
            }
            long index = apply.getAppliedIndex();
            long term;
            if (index == apply.getTruncatedState().getIndex()) {
                term = apply.getTruncatedState().getTerm();
            } else {
                java.util.OptionalLong held = engines.raftLog().term(regionId, index);
                if (held.isEmpty()) {
                    return new PeerCommand.SnapshotGenerated(null, "entry " + index + " was compacted meanwhile");
                }
                term = held.getAsLong();
            }
            Region region = state.getRegion();
            Files.createDirectories(SnapshotFiles.dir(dataDir));
            Path target = SnapshotFiles.generated(dataDir, regionId, term, index);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            int checksum;
            boolean[] gaveWay = {false};
            try (SnapshotFormat.Writer w = new SnapshotFormat.Writer(tmp)) {
                for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
                    IOException[] failure = new IOException[1];
                    kv.forEach(cf, region.getStartKey().toByteArray(), region.getEndKey().toByteArray(), false,
                            (k, v) -> {
                                try {
                                    w.write(cf, k, v);
                                } catch (IOException e) {
                                    failure[0] = e;
                                    return false;
                                }
                                if (w.records() % GROWTH_CHECK_RECORDS == 0 && engines.kv().growthPending()) {
                                    gaveWay[0] = true;
                                    return false;
                                }
                                return true;
                            });
                    if (failure[0] != null) throw failure[0];
                    if (gaveWay[0]) break;
                }
                checksum = gaveWay[0] ? 0 : w.finish();
            }
            if (gaveWay[0]) {
                Files.deleteIfExists(tmp);
                return null;
            }
            SnapshotFormat.publish(tmp, target);
            RaftSnapshotData data = RaftSnapshotData.newBuilder().setRegion(region).setFileSize(Files.size(target))
                    .setMeta(SnapshotMeta.newBuilder().addCfFiles(SnapshotCFFile.newBuilder().setCf(ALL_CFS)
                            .setSize(Files.size(target)).setChecksum(checksum)))
                    .build();
            Snapshot snapshot = Snapshot.newBuilder().setData(data.toByteString())
                    .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
                            .setConfState(PeerStorage.confStateOf(region)))
                    .build();
            return new PeerCommand.SnapshotGenerated(snapshot, null);
        } catch (IOException | RuntimeException e) {
            return new PeerCommand.SnapshotGenerated(null, "snapshot of region " + regionId + " failed: " + e);
        }
    }

    /**
     * Reads the whole received file of {@code snapshot} and checks its checksum, holding nothing of it in
     * memory. A damaged file is deleted: the peer drops the snapshot and the leader sends a fresh copy.
     */
    static PeerCommand.SnapshotChecked check(Path dataDir, Snapshot snapshot) {
        try {
            RaftSnapshotData data = RaftSnapshotData.parseFrom(snapshot.getData());
            Path file = receivedFile(dataDir, snapshot, data);
            beforeInstallRead.accept(file);
            if (SnapshotFormat.checksumOf(file) != data.getMeta().getCfFiles(0).getChecksum()) {
                Files.deleteIfExists(file);
                throw new IOException("snapshot " + file.getFileName() + ": checksum mismatch");
            }
            return new PeerCommand.SnapshotChecked(snapshot, data.getRegion(), null);
        } catch (IOException | RuntimeException e) {
            return new PeerCommand.SnapshotChecked(snapshot, null, e);
        }
    }

    private static void collect(Path dataDir, Gc gc) {
        Path dir = SnapshotFiles.dir(dataDir);
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                SnapshotFiles.Name n = SnapshotFiles.Name.parse(f.getFileName().toString());
                if (n == null || n.regionId() != gc.regionId()) continue;
                boolean stale = n.generated() ? n.index() < gc.keepGenerated() : n.index() <= gc.applied();
                if (stale) Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // A file left behind is retried at the next GcSnap; stopping the worker would end this peer's
            // snapshots for good.
        }
    }
}
