package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.RegionKvNode;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, "Full map": a store whose maps are capped small ({@code max-map-size}) fills up under writes. A
 * write that does not fit is refused with a typed StorageFull and changes nothing; every acknowledged write
 * stays readable; the peer keeps serving (reads work); and once the bound is raised, writes go through again
 * without a restart.
 */
class StorageFullTest {
    private static final int VALUE_BYTES = 16 * 1024;
    private ActorTestKit kit;
    private RegionKvNode node;
    private Path dir;

    @AfterEach
    void stop() {
        if (kit != null) kit.shutdownTestKit();
        TempDirs.deleteTree(dir);
    }

    @Test
    void aFullMapRefusesWritesWithStorageFullKeepsReadsAndResumesWhenRaised() throws Exception {
        dir = Files.createTempDirectory("regionkv-full");
        Config config = ConfigFactory.parseString("""
                regionkv.raft.tick-interval = 20ms
                regionkv.engine.initial-map-size = 1MiB
                regionkv.engine.max-map-size = 4MiB
                regionkv.engine.storage-full-reserve = 1MiB
                """).withFallback(ConfigFactory.load());
        kit = ActorTestKit.create(config);
        StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.store-id = 1\nregionkv.initial-stores = [1]\nregionkv.data-dir = \"" + dir + "\"")
                .withFallback(kit.system().settings().config()));
        node = RegionKvNode.start(kit.system(), settings, new ArteryRaftTransport(StoreDirectory.get(kit.system())));
        awaitOk(cmd(put("warmup", 1)));

        // Fill: each write waits for its answer, so at most one is in flight when the reserve is reached.
        List<String> acknowledged = new ArrayList<>();
        RaftCmdResponse refused = null;
        for (int i = 0; i < 1000 && refused == null; i++) {
            RaftCmdResponse r = send(cmd(put("k" + i, i)));
            if (!r.getHeader().hasError()) {
                acknowledged.add("k" + i);
            } else {
                refused = r;
            }
        }
        assertNotNull(refused, "4 MiB maps took 1000 writes of 16 KiB");
        assertTrue(refused.getHeader().getError().hasStorageFull(), "a typed StorageFull, got " + refused);
        assertEquals(1, refused.getHeader().getError().getStorageFull().getStoreId());
        assertFalse(acknowledged.isEmpty());

        // A command of two puts is refused whole: neither key is written.
        RaftCmdResponse both = send(cmd(put("both-a", 1), put("both-b", 2)));
        assertTrue(both.getHeader().getError().hasStorageFull(), "got " + both);

        // Reads keep working, and every acknowledged write is there with its value; nothing refused is.
        for (int i = 0; i < acknowledged.size(); i++) {
            assertValue(acknowledged.get(i), i);
        }
        assertNotFound("k" + acknowledged.size());
        assertNotFound("both-a");
        assertNotFound("both-b");

        // Room again (the operator raises the bound): writes resume by themselves, no restart.
        node.engines().kv().setMaxMapSize(64L << 20);
        if (node.engines().raftLog() instanceof io.regionkv.engine.raftlog.LmdbRaftLog lmdb) {
            lmdb.engine().setMaxMapSize(64L << 20);
        }
        awaitOk(cmd(put("after", 7)));
        assertValue("after", 7);
        for (int i = 0; i < acknowledged.size(); i++) {
            assertValue(acknowledged.get(i), i);
        }
    }

    private void assertValue(String key, int fill) {
        RaftCmdResponse r = awaitOk(cmd(get(key)));
        assertFalse(r.getResponses(0).getGet().getNotFound(), key + " is missing");
        ByteString v = r.getResponses(0).getGet().getValue();
        assertEquals(VALUE_BYTES, v.size(), key);
        assertEquals((byte) fill, v.byteAt(VALUE_BYTES - 1), key + " holds another write's value");
    }

    private void assertNotFound(String key) {
        assertTrue(awaitOk(cmd(get(key))).getResponses(0).getGet().getNotFound(), key + " was written");
    }

    private static Request put(String key, int fill) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) fill);
        return Request.newBuilder().setCmdType(CmdType.Put).setPut(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(value))).build();
    }

    private static Request get(String key) {
        return Request.newBuilder().setCmdType(CmdType.Get)
                .setGet(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build();
    }

    private static RaftCmdRequest cmd(Request... requests) {
        return RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder().setRegionId(1)
                .setUuid(ByteString.copyFromUtf8("u"))).addAllRequests(List.of(requests)).build();
    }

    private RaftCmdResponse send(RaftCmdRequest req) {
        TestProbe<CommandReply> probe = kit.createTestProbe();
        node.store().tell(new StoreCommand.Inbound(CommandEnvelope.of(req, probe.getRef())));
        return probe.receiveMessage(Duration.ofSeconds(15)).single();
    }

    /** Retries only while the region has no leader yet (the single voter elects itself at start). */
    private RaftCmdResponse awaitOk(RaftCmdRequest req) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        RaftCmdResponse r;
        do {
            r = send(req);
            if (!r.getHeader().hasError()) return r;
        } while (System.nanoTime() < deadline && (r.getHeader().getError().hasNotLeader()
                || r.getHeader().getError().hasRegionNotFound()));
        throw new AssertionError("command failed: " + r);
    }
}
