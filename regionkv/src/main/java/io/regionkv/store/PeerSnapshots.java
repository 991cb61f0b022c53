package io.regionkv.store;

import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.RaftSnapshotData;
import io.regionkv.store.snapshot.SnapshotFiles;
import io.regionkv.store.snapshot.SnapshotInstall;
import io.regionkv.store.snapshot.SnapshotSender;
import io.regionkv.store.snapshot.SnapshotWorker;
import io.regionkv.store.writer.WriteResult;
import io.regionkv.store.writer.WriterCommand;
import java.nio.file.Path;
import java.time.Duration;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A peer's snapshots (DESIGN.md, "Snapshot"): its snapshot child, which generates them and builds the
 * batches that install them; the streams sending them to other peers; the install under way; and the
 * clean-up of files no longer needed. Runs on the peer's thread, with the peer's actor context: every
 * file operation happens in the child or in the sender streams, on the io dispatcher.
 *
 * <p>An install is one step of the Ready cycle and the peer drives it: the received file is read and checked
 * into a kv batch before raft sees the snapshot; then the kv half of the snapshot is written first, then
 * the raft half (see PeerStorage.prepareSnapshotWrite for why that order); this class remembers which of
 * the two is in flight.
 */
final class PeerSnapshots {

    /** A logger of its own: the actor context's logger of a peer is named after Pekko's wrapper, not ours. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerSnapshots.class);

    /** How long a stream waits for the receiver to acknowledge a chunk before it reports failure. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final ActorContext<PeerCommand> context;
    private final PeerContext ctx;
    private final PeerStorage storage;
    /** Request ids for the writers, shared with the peer's other writes (their answers share an adapter). */
    private final LongSupplier writeIds;
    private final ActorRef<WriteResult> writeResults;
    private final ActorRef<SnapshotWorker.Command> worker;
    /** Snapshot streams to other peers, by target peer id. */
    private final Map<Long, ActorRef<SnapshotSender.Command>> senders = new HashMap<>();
    /** The snapshot being installed and its region, or null; then how far its kv half got. */
    private Snapshot installing;
    private Region installRegion;
    /** The kv writes of the install not answered yet: begin, then at most two batches, then finish. */
    private final Set<Long> installWrites = new HashSet<>();
    private long installFinishId;
    /** A batch of the file was asked of the child and not received yet. */
    private boolean chunkRequested;
    /** The whole file is read (and its checksum matched). */
    private boolean installRead;
    private boolean installRaftWrite;
    /** When the last generation was asked for and when the install under way started its check (nanoTime). */
    private long generateStartedNanos;
    private long installStartedNanos;

    /** Where a kv write answer leaves an install. */
    enum KvWritten { NOT_INSTALL, IN_PROGRESS, KV_HALF_DONE }

    /** A completed install: the states the peer takes over. */
    record Installed(RaftApplyState applyState, Region region) {}

    PeerSnapshots(ActorContext<PeerCommand> context, PeerContext ctx, PeerStorage storage, long regionId,
            LongSupplier writeIds, ActorRef<WriteResult> writeResults) {
        this.context = context;
        this.ctx = ctx;
        this.storage = storage;
        this.writeIds = writeIds;
        this.writeResults = writeResults;
        this.worker = context.spawn(SnapshotWorker.create(ctx.engines(), ctx.settings().dataDir(), context.getSelf()),
                "snapshot", IoDispatcher.SNAPSHOT);
        storage.setSnapshotRequester(() -> {
            generateStartedNanos = System.nanoTime();
            worker.tell(new SnapshotWorker.Generate(regionId));
        });
    }

    // ---- generating and sending -------------------------------------------------------------------------

    void onGenerated(PeerCommand.SnapshotGenerated g) {
        if (g.snapshot() == null) {
            context.getLog().warn("region {}: {}", storage.regionId(), g.error());
        } else {
            ctx.metrics().snapshotGenerated();
            // With the install line on the receiving store, this gives a snapshot's rate end to end
            // (BENCHMARKS.md, "Large snapshot"): generation start = this line's time minus its duration.
            LOG.info("region {}: generated snapshot at index {}: {} bytes in {} ms", storage.regionId(),
                    g.snapshot().getMetadata().getIndex(), fileSize(g.snapshot()), millisSince(generateStartedNanos));
        }
        storage.onSnapshotGenerated(g.snapshot());
    }

    /** Streams the snapshot of a {@code MsgSnapshot} to its target; raft hears the outcome via reportSnapshot. */
    void send(RaftMessage rm) {
        long to = rm.getToPeer().getId();
        ActorRef<SnapshotSender.Command> running = senders.remove(to);
        if (running != null) context.stop(running);
        Snapshot snap = rm.getMessage().getSnapshot();
        int checksum;
        try {
            checksum = RaftSnapshotData.parseFrom(snap.getData()).getMeta().getCfFiles(0).getChecksum();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("region " + storage.regionId() + ": own snapshot is malformed", e);
        }
        Path file = SnapshotFiles.generated(ctx.settings().dataDir(), storage.regionId(),
                snap.getMetadata().getTerm(), snap.getMetadata().getIndex());
        senders.put(to, context.spawnAnonymous(SnapshotSender.create(file, checksum, rm, ctx.transport(),
                context.getSelf(), ACK_TIMEOUT, ctx.metrics()), IoDispatcher.SNAPSHOT));
    }

    /** The stream to {@code toPeerId} ended (it stopped itself); the peer reports the outcome to raft. */
    void onSent(long toPeerId) {
        senders.remove(toPeerId);
    }

    // ---- installing -------------------------------------------------------------------------------------

    /**
     * A received {@code snapshot} is to be installed: the child reads the whole file and checks it before
     * raft is stepped with it (the peer gets {@link PeerCommand.SnapshotChecked}).
     */
    void check(Snapshot snapshot) {
        installStartedNanos = System.nanoTime();
        worker.tell(new SnapshotWorker.Check(snapshot));
    }

    /**
     * The Ready in flight carries {@code snapshot} (of {@code region}), checked: its kv half goes to the kv
     * writer first, in bounded batches ({@link SnapshotInstall}). Reading the next batch overlaps with
     * writing the last, and at most two batches wait for the writer, so the heap holds about three batches
     * whatever the region's size.
     */
    void startInstall(Snapshot snapshot, Region region) {
        installing = snapshot;
        installRegion = region;
        installRead = false;
        installFinishId = 0;
        write(SnapshotInstall.begin(snapshot, region));
        requestChunk();
    }

    void onChunkRead(PeerCommand.SnapshotChunkRead read) {
        chunkRequested = false;
        if (installing == null) return;
        if (read.error() != null) {
            // The file was whole moments ago, so the disk is failing. The region stays Applying on disk: the
            // store redoes the install from the file when it starts again, or leaves the region out.
            throw new IllegalStateException("region " + storage.regionId() + ": reading snapshot "
                    + installing.getMetadata().getIndex() + " for its install failed", read.error());
        }
        if (!read.batch().isEmpty()) write(read.batch());
        if (!read.more()) {
            installRead = true;
            maybeFinish();
        } else if (installWrites.size() <= 2) {
            requestChunk();
        }
    }

    /** Tells where the kv write {@code requestId} leaves the install; KV_HALF_DONE: write the raft half. */
    KvWritten onKvWritten(long requestId) {
        if (installing == null) return KvWritten.NOT_INSTALL;
        if (requestId == installFinishId) {
            installFinishId = 0;
            return KvWritten.KV_HALF_DONE;
        }
        if (!installWrites.remove(requestId)) return KvWritten.NOT_INSTALL;
        if (!installRead && !chunkRequested && installWrites.size() <= 2) requestChunk();
        maybeFinish();
        return KvWritten.IN_PROGRESS;
    }

    private void requestChunk() {
        chunkRequested = true;
        worker.tell(new SnapshotWorker.ReadChunk(installing, SnapshotInstall.BATCH_BYTES));
    }

    private void write(WriteBatch batch) {
        long id = writeIds.getAsLong();
        installWrites.add(id);
        ctx.kvWriter().tell(new WriterCommand.Write(batch, id, writeResults));
    }

    private void maybeFinish() {
        if (!installRead || !installWrites.isEmpty() || installFinishId != 0) return;
        installFinishId = writeIds.getAsLong();
        // Synced before the answer even when kv sync is deferred: the raft half that follows drops the whole
        // old log, so after an OS crash nothing could replay what an unsynced kv half lost.
        ctx.kvWriter().tell(new WriterCommand.Write(SnapshotInstall.finish(installing, installRegion), installFinishId,
                writeResults, installing.getMetadata().getIndex(), true));
    }

    /** The peer handed the install's raft half to the raft-log writer. */
    void raftHalfStarted() {
        installRaftWrite = true;
    }

    /**
     * A raft write of the peer persisted: answers the install it completed, or null when it was not the
     * raft half of an install.
     */
    Installed raftHalfPersisted() {
        if (!installRaftWrite) return null;
        installRaftWrite = false;
        Installed done = new Installed(SnapshotInstall.applyState(installing), installRegion);
        ctx.metrics().snapshotApplied();
        LOG.info("region {}: installed snapshot at index {}: {} bytes checked and applied in {} ms",
                storage.regionId(), installing.getMetadata().getIndex(), fileSize(installing),
                millisSince(installStartedNanos));
        installing = null;
        installRegion = null;
        return done;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The snapshot file's size as its metadata records it; -1 when the data does not parse (only logged). */
    private static long fileSize(Snapshot snapshot) {
        try {
            return RaftSnapshotData.parseFrom(snapshot.getData()).getFileSize();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return -1;
        }
    }

    // ---- clean-up ---------------------------------------------------------------------------------------

    /** Whether no snapshot is being sent, installed or read here (a region with one must not hibernate). */
    boolean idle() {
        return senders.isEmpty() && installWrites.isEmpty() && !installRead && !installRaftWrite && !chunkRequested;
    }

    /** Removes files no peer needs: generated ones older than the one kept for followers, received ones applied. */
    void gc(long appliedIndex) {
        long keep = storage.generatedSnapshotIndex();
        worker.tell(new SnapshotWorker.Gc(storage.regionId(), keep == 0 ? Long.MAX_VALUE : keep, appliedIndex));
    }

    /** The peer was removed from its region: none of its snapshot files is needed any more. */
    void gcAll() {
        worker.tell(new SnapshotWorker.Gc(storage.regionId(), Long.MAX_VALUE, Long.MAX_VALUE));
    }
}
