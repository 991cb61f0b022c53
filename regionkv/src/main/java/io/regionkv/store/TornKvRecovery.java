package io.regionkv.store;

import io.regionkv.engine.EngineKind;
import io.regionkv.engine.Engines;
import io.regionkv.engine.UnsyncedDataAfterRebootException;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.RaftLogBatch;
import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.engine.raftlog.RaftLogStores;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.proto.RaftServerpb.StoreIdent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a store's engines, and recovers without an operator when the OS went down while the kv data had
 * unsynced commits ({@link UnsyncedDataAfterRebootException}): that data may be torn, so all of it goes.
 * What survives is the raft log, which fsyncs every commit. Of each region's raft state only the
 * hard state's term and vote are kept (they are what keeps this node from voting twice in a term); its log
 * goes too, since the kv data it applied to is gone and the truncated state that said where the log starts
 * lived in the kv data. In its place each region gets a vote fence, the last entry (index, term) of the
 * dropped log (RawNode.fenceVotesBelow): the node acknowledged entries up to there and may have been what
 * made them committed, so until it holds that much of the leader's log again it votes only for candidates
 * at least as up to date as the dropped log (as it would have with the log kept) and never campaigns.
 * Raft's vote rule is therefore what it was; the log itself is not needed for it. If a majority of a
 * region's replicas lost their data, a candidate that lacks what they had acknowledged gets no votes, so
 * the region stays without a leader rather than losing acknowledged writes.
 *
 * <p>The store then holds no region at all: a region's peer is created, empty, by the first message of
 * its leader, as for a new replica, asks the leader for a snapshot (request-snapshot: the leader's record
 * of what this node matched is stale) and serves nothing until the snapshot is installed and the log has
 * caught up. A region whose every replica lost its data has no leader that could send one: its peers stay
 * empty, and only {@code regionkv.engine.accept-unsynced-kv-after-reboot} (open the torn data as is) helps.
 *
 * <p>Nothing is destroyed: before anything changes, the raft log is copied and the kv environment
 * moved into {@code <data-dir>/}{@value #BACKUP_DIR}. If every replica of a region lost its data (a power
 * loss of the whole cluster), its peers stay empty and {@link RecoveryWatch} names the region in an error
 * after a while; the operator then puts both environments back and starts with
 * {@code accept-unsynced-kv-after-reboot = on} (README, "Durability"). Once every region is filled the
 * backup may be deleted.
 *
 * <p>Crash safety of the recovery itself: a backup is kept while a refill is under way (a region's log is
 * below its fence), since a second crash must not overwrite the original data with a partial refill; one
 * left by a recovery that completed is stale and replaced. The raft half (fences, logs dropped) is
 * committed next and is idempotent; then a flag file marks that the kv data is being replaced, so that a
 * crash before the new kv environment holds the store ident redoes the replacement instead of mistaking
 * the store for a new one (which would bootstrap the first region over the kept hard state).
 */
public final class TornKvRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(TornKvRecovery.class);
    static final String REPLACING_FLAG = "KV_REPLACING";
    public static final String BACKUP_DIR = "before-unsynced-reboot";

    private TornKvRecovery() {}

    /** The engines, and the regions (id to the index of their vote fence) that wait for a leader's snapshot. */
    public record Opened(Engines engines, Map<Long, Long> refilling) {}

    public static Opened open(StoreSettings settings) {
        Path dataDir = settings.dataDir();
        if (!Files.exists(dataDir.resolve(REPLACING_FLAG))) {
            try {
                return new Opened(Engines.open(dataDir, settings.engine()), Map.of());
            } catch (UnsyncedDataAfterRebootException e) {
                LOG.warn("store {}: {}; discarding the kv data and refilling every region from its leader",
                        settings.storeId(), e.getMessage());
            }
        }
        Path backup = dataDir.resolve(BACKUP_DIR);
        Path kvDir = dataDir.resolve(EngineKind.KV.dirName());
        // Moves a raft log left in the other layout first, so that what follows finds it where it belongs.
        RaftLogStores.open(dataDir, settings.engine()).close();
        Path raftDir = dataDir.resolve(settings.engine().raftLog().dirName());
        if (Files.exists(backup) && !Files.exists(dataDir.resolve(REPLACING_FLAG)) && !refillUnderWay(raftDir, settings)) {
            // Left by an earlier recovery that completed: every region was refilled since, so it is stale.
            deleteTree(backup);
        }
        if (!Files.exists(backup)) backUpRaft(raftDir, backup);
        Map<Long, Long> fences = fenceRegions(raftDir, settings);
        writeFlag(dataDir);
        Path keptKv = backup.resolve(EngineKind.KV.dirName());
        if (!Files.exists(keptKv) && Files.exists(kvDir)) {
            move(kvDir, keptKv);
        } else {
            deleteKv(kvDir); // what a refill had written before another crash: the backup has the original
        }
        Engines engines = Engines.open(dataDir, settings.engine());
        try {
            WriteBatch kv = new WriteBatch();
            Meta.putStoreIdent(kv, StoreIdent.newBuilder().setClusterId(settings.clusterId())
                    .setStoreId(settings.storeId()).build());
            engines.kv().commit(kv);
            engines.kv().syncIfDirty();
            delete(dataDir.resolve(REPLACING_FLAG));
            syncDir(dataDir);
        } catch (RuntimeException e) {
            engines.close();
            throw e;
        }
        LOG.warn("store {}: kv data set aside into {} after an OS crash; regions {} (region id -> index of the vote"
                + " fence) wait for a snapshot from their leaders and serve nothing until then",
                settings.storeId(), backup, fences);
        return new Opened(engines, fences);
    }

    /**
     * Copies the closed raft log (every commit of it fsynced) into a new backup directory, under the name
     * of its layout's directory. LMDB's lock file is not data and stays behind.
     */
    private static void backUpRaft(Path raftDir, Path backup) {
        Path tmp = raftDir.resolveSibling(BACKUP_DIR + ".tmp");
        Path raftCopy = tmp.resolve(raftDir.getFileName());
        try {
            deleteKv(raftCopy); // a copy a crash interrupted
            Files.createDirectories(raftCopy);
            List<Path> files;
            try (Stream<Path> listed = Files.exists(raftDir) ? Files.list(raftDir) : Stream.empty()) {
                files = listed.filter(f -> !f.getFileName().toString().equals("lock.mdb")).toList();
            }
            for (Path file : files) {
                Path copy = raftCopy.resolve(file.getFileName());
                Files.copy(file, copy);
                try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            syncDir(raftCopy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot back up the raft log into " + tmp, e);
        }
        move(tmp, backup);
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
        syncDir(from.getParent());
        syncDir(to.getParent());
    }

    /** Whether a region's log is still below its vote fence: a recovery's refill has not caught up yet. */
    private static boolean refillUnderWay(Path raftDir, StoreSettings settings) {
        try (RaftLogStore raft = RaftLogStores.openLayout(settings.engine().raftLog(), raftDir, settings.engine())) {
            for (long regionId : raft.regions()) {
                RaftLocalState state = raft.state(regionId);
                if (state != null && state.getLastIndex() < raft.fence(regionId).getIndex()) return true;
            }
            return false;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
        syncDir(root.getParent());
    }

    /** Keeps term and vote of every region, drops its log, sets its vote fence; answers the fences. */
    private static Map<Long, Long> fenceRegions(Path raftDir, StoreSettings settings) {
        Map<Long, Long> fences = new LinkedHashMap<>();
        try (RaftLogStore raft = RaftLogStores.openLayout(settings.engine().raftLog(), raftDir, settings.engine())) {
            RaftLogBatch batch = new RaftLogBatch();
            for (long regionId : raft.regions()) {
                RaftLocalState old = raft.state(regionId);
                if (old == null) continue; // no raft state: nothing acknowledged, nothing to fence
                // A second recovery before the log grew back keeps the first one's fence.
                RaftTruncatedState earlier = raft.fence(regionId);
                RaftTruncatedState fence = earlier.getIndex() >= old.getLastIndex() ? earlier
                        : RaftTruncatedState.newBuilder().setIndex(old.getLastIndex()).setTerm(old.getLastTerm()).build();
                HardState hs = old.getHardState();
                batch.clear(regionId)
                        .state(regionId, RaftLocalState.newBuilder()
                                .setHardState(HardState.newBuilder().setTerm(hs.getTerm()).setVote(hs.getVote()))
                                .build())
                        .fence(regionId, fence);
                fences.put(regionId, fence.getIndex());
            }
            if (!batch.isEmpty()) raft.commitAll(List.of(batch)); // the raft log syncs every commit
        }
        return fences;
    }

    private static void writeFlag(Path dataDir) {
        try (FileChannel ch = FileChannel.open(dataDir.resolve(REPLACING_FLAG), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir.resolve(REPLACING_FLAG), e);
        }
        syncDir(dataDir);
    }

    private static void deleteKv(Path kvDir) {
        if (!Files.exists(kvDir)) return;
        try (Stream<Path> files = Files.list(kvDir)) {
            for (Path f : files.toList()) delete(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + kvDir, e);
        }
        delete(kvDir);
        syncDir(kvDir.getParent());
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }

    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync directory " + dir, e);
        }
    }
}
