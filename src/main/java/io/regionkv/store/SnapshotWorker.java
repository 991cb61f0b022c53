package io.regionkv.store;

import io.regionkv.engine.Db;
import io.regionkv.engine.Engines;
import io.regionkv.engine.Keys;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.proto.RaftServerpb.SnapshotCFFile;
import io.regionkv.proto.RaftServerpb.SnapshotMeta;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A peer's snapshot child, on the io dispatcher: builds snapshots from one LMDB read transaction into a
 * checksummed file, turns a received snapshot file into the kv batch that replaces the region's data, and
 * deletes snapshot files no longer needed ({@code GcSnap}). It never writes LMDB: the batch goes back to
 * the peer, which hands it to the kv writer like any apply.
 */
final class SnapshotWorker {

    sealed interface Command {}

    /** Build a snapshot of the region as applied now. */
    record Generate(long regionId) implements Command {}

    /** Read the received file of {@code snapshot} and build the batch that installs it. */
    record BuildApply(Snapshot snapshot) implements Command {}

    /** Delete this region's generated files older than {@code keepGenerated}, and received ones up to {@code applied}. */
    record Gc(long regionId, long keepGenerated, long applied) implements Command {}

    /** The one-file marker of a snapshot's data in {@link SnapshotMeta}. */
    static final String ALL_CFS = "all";

    /**
     * Test-only: runs on a received snapshot file just before an install reads it, so that a test can
     * corrupt it there. Does nothing otherwise.
     */
    static volatile java.util.function.Consumer<Path> beforeInstallRead = file -> {};

    private SnapshotWorker() {}

    static Behavior<Command> create(Engines engines, Path dataDir, ActorRef<PeerCommand> peer) {
        return Behaviors.receive(Command.class)
                .onMessage(Generate.class, g -> {
                    peer.tell(generate(engines, dataDir, g.regionId()));
                    return Behaviors.same();
                })
                .onMessage(BuildApply.class, b -> {
                    peer.tell(buildApply(dataDir, b.snapshot()));
                    return Behaviors.same();
                })
                .onMessage(Gc.class, gc -> {
                    collect(dataDir, gc);
                    return Behaviors.same();
                })
                .build();
    }

    static PeerCommand generate(Engines engines, Path dataDir, long regionId) {
        try (ReadView kv = engines.kv().readView(); ReadView raft = engines.raft().readView()) {
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
                Entry e = raft.get(Db.RAFT, Keys.raftLogKey(regionId, index), Entry.parser());
                if (e == null) {
                    return new PeerCommand.SnapshotGenerated(null, "entry " + index + " was compacted meanwhile");
                }
                term = e.getTerm();
            }
            Region region = state.getRegion();
            Files.createDirectories(SnapshotFiles.dir(dataDir));
            Path target = SnapshotFiles.generated(dataDir, regionId, term, index);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            int checksum;
            try (SnapshotFormat.Writer w = new SnapshotFormat.Writer(tmp)) {
                for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
                    IOException[] failure = new IOException[1];
                    kv.forEach(cf, region.getStartKey().toByteArray(), region.getEndKey().toByteArray(), false,
                            (k, v) -> {
                                try {
                                    w.write(cf, k, v);
                                    return true;
                                } catch (IOException e) {
                                    failure[0] = e;
                                    return false;
                                }
                            });
                    if (failure[0] != null) throw failure[0];
                }
                checksum = w.finish();
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

    static PeerCommand buildApply(Path dataDir, Snapshot snapshot) {
        try {
            RaftSnapshotData data = RaftSnapshotData.parseFrom(snapshot.getData());
            Region region = data.getRegion();
            SnapshotMetadata md = snapshot.getMetadata();
            Path file = SnapshotFiles.received(dataDir, region.getId(), md.getTerm(), md.getIndex());
            beforeInstallRead.accept(file);
            WriteBatch batch = new WriteBatch();
            for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
                batch.deleteRange(cf, region.getStartKey().toByteArray(), region.getEndKey().toByteArray());
            }
            try {
                SnapshotFormat.read(file, data.getMeta().getCfFiles(0).getChecksum(), (cf, k, v) -> batch.put(cf, k, v));
            } catch (IOException e) {
                // A damaged file (checksum, truncation, bad record) is never tried again: the peer drops the
                // snapshot and the leader sends a fresh copy.
                Files.deleteIfExists(file);
                throw e;
            }
            RaftApplyState apply = RaftApplyState.newBuilder().setAppliedIndex(md.getIndex())
                    .setTruncatedState(RaftTruncatedState.newBuilder().setIndex(md.getIndex()).setTerm(md.getTerm()))
                    .build();
            Meta.putApplyState(batch, region.getId(), apply);
            Meta.putRegionState(batch, region, PeerState.Normal);
            return new PeerCommand.SnapshotBatchBuilt(batch, apply, region, null);
        } catch (IOException | RuntimeException e) {
            return new PeerCommand.SnapshotBatchBuilt(null, null, null, e);
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
