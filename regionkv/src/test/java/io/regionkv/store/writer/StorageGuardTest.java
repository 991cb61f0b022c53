package io.regionkv.store.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.DeleteRequest;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check before a write is proposed: a short disk (as the store heartbeat reads it) or a map near its
 * bound refuses Puts with a typed StorageFull; reads and deletes pass; room again lets Puts pass again.
 */
class StorageGuardTest {
    private static final long RESERVE = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void aShortDiskOrAFullMapRefusesPutsOnlyAndRoomLetsThemPassAgain() {
        try (Engines engines = Engines.open(dir, EngineConfig.defaults().withSyncOnCommit(false)
                .withRaftLog(io.regionkv.engine.raftlog.RaftLogLayout.LMDB))) {
            StorageGuard guard = new StorageGuard(7, engines, RESERVE);
            assertNull(guard.check(cmd(CmdType.Put)), "room: a put passes");

            guard.diskUsable(RESERVE - 1); // a full disk, as the last heartbeat saw it
            Errorpb.Error full = guard.check(cmd(CmdType.Put));
            assertTrue(full != null && full.hasStorageFull(), "a short disk refuses a put: " + full);
            assertEquals(7, full.getStorageFull().getStoreId());
            assertNull(guard.check(cmd(CmdType.Get)), "reads are never refused");
            assertNull(guard.check(cmd(CmdType.Delete)), "deletes make room and are never refused");

            guard.diskUsable(RESERVE * 100);
            assertNull(guard.check(cmd(CmdType.Put)), "disk freed: puts pass again");

            io.regionkv.engine.Engine raft = ((io.regionkv.engine.raftlog.LmdbRaftLog) engines.raftLog()).engine();
            raft.setMaxMapSize(1L << 20); // less headroom than the reserve
            assertTrue(guard.check(cmd(CmdType.Put)).hasStorageFull(), "the raft map near its bound refuses");
            raft.setMaxMapSize(1L << 30);
            assertNull(guard.check(cmd(CmdType.Put)), "the bound raised: puts pass again");
        }
    }

    private static RaftCmdRequest cmd(CmdType type) {
        ByteString k = ByteString.copyFromUtf8("k");
        Request.Builder r = Request.newBuilder().setCmdType(type);
        switch (type) {
            case Put -> r.setPut(PutRequest.newBuilder().setKey(k).setValue(k));
            case Get -> r.setGet(GetRequest.newBuilder().setKey(k));
            case Delete -> r.setDelete(DeleteRequest.newBuilder().setKey(k));
            default -> throw new IllegalArgumentException(type.toString());
        }
        return RaftCmdRequest.newBuilder().addRequests(r).build();
    }
}
