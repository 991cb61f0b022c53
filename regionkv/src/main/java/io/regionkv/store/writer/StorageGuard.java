package io.regionkv.store.writer;

import io.regionkv.engine.Engine;
import io.regionkv.engine.Engines;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.store.RegionErrors;

/**
 * Refuses a write up front, with a typed {@code StorageFull}, when the store is about to run out of room:
 * either environment's map within {@code reserve} bytes of its bound, or the file system with less than
 * {@code reserve} bytes usable. Why up front: once a write is in the raft log it must be applied, in order,
 * on every replica; an entry that does not fit cannot be skipped, so the peer would have to stop and retry
 * it from disk until room returns, and its region would serve nothing meanwhile. Refusing at the door keeps
 * the log free of entries that cannot be applied, and reads keep working. The reserve leaves room for what
 * is already in flight, for raft's own writes and for admin commands (a log compaction frees space).
 *
 * <p>Only commands with a Put are refused: reads never need room, and a command of deletes is how a client
 * makes room. Nothing here touches the disk: the map figures are what the writers last measured, and the
 * free disk space is what the store's last heartbeat measured on the io dispatcher ({@link #diskUsable}), so the check is cheap
 * enough for the store's thread. Writes resume by themselves as soon as a figure moves back above the
 * reserve (the map bound raised with {@code Engine.setMaxMapSize}, disk space freed).
 */
public final class StorageGuard {
    private final long storeId;
    private final Engines engines;
    private final long reserve;
    /** Usable bytes of the data directory's file system at the last heartbeat; unknown until then. */
    private long diskUsable = Long.MAX_VALUE;

    public StorageGuard(long storeId, Engines engines, long reserve) {
        if (reserve < 0) throw new IllegalArgumentException("the storage reserve must not be negative, got " + reserve);
        this.storeId = storeId;
        this.engines = engines;
        this.reserve = reserve;
    }

    /** The file system's usable bytes, as the store's heartbeat just read them. */
    public void diskUsable(long bytes) {
        diskUsable = bytes;
    }

    /** A StorageFull error for {@code req} if it writes and the store is short of room, else null. */
    public Errorpb.Error check(RaftCmdRequest req) {
        if (!puts(req)) return null;
        String why = shortOfRoom(engines.kv());
        if (why == null) why = engines.raftLog().shortOfRoom(reserve);
        if (why == null && diskUsable < reserve) {
            why = "the file system has " + diskUsable + " bytes usable, below the reserve of " + reserve;
        }
        return why == null ? null : RegionErrors.storageFull(storeId, why);
    }

    private String shortOfRoom(Engine engine) {
        long headroom = engine.headroom();
        if (headroom >= reserve) return null;
        return "the " + engine.kind().dirName() + " map has " + Math.max(0, headroom) + " bytes left below its bound of "
                + engine.maxMapSize() + ", less than the reserve of " + reserve;
    }

    private static boolean puts(RaftCmdRequest req) {
        if (req.hasAdminRequest()) return false;
        for (Request r : req.getRequestsList()) {
            if (r.getCmdType() == CmdType.Put) return true;
        }
        return false;
    }
}
