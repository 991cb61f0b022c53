package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.Engines;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.ScanRequest;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.transport.CommandReply;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving reads that waited for their read index. A split can apply while a scan waits: the region then
 * ends earlier than the client believed, and an answer cut at the new end made the client skip the keys
 * in between (seen once in SplitUnreliable3B as an illegal history). The waited read must be refused.
 */
class PeerReadsTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static Region region(long version, String end) {
        return Region.newBuilder().setId(7).setStartKey(ByteString.EMPTY).setEndKey(ByteString.copyFromUtf8(end))
                .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(1).setVersion(version)).build();
    }

    private static RaftCmdRequest scanFrom(String start, long version) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(7).setUuid(ByteString.copyFromUtf8("u"))
                        .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(1).setVersion(version)))
                .addRequests(Request.newBuilder().setCmdType(CmdType.Scan)
                        .setScan(ScanRequest.newBuilder().setStartKey(ByteString.copyFromUtf8(start)).setLimit(10)))
                .build();
    }

    private static RaftCmdResponse serveOne(RaftCmdRequest req, Region now, Path dir) {
        TestProbe<CommandReply> client = kit.createTestProbe();
        ReplyBatch answers = new ReplyBatch();
        try (Engines engines = Engines.open(dir, EngineConfig.defaults().withSyncOnCommit(false));
                ReadView view = engines.kv().readView()) {
            PeerReads.serve(List.of(new PendingReads.Read(req, client.ref(), Long.MAX_VALUE)), now, view, answers);
        }
        answers.send();
        List<RaftCmdResponse> got = client.receiveMessage().responses();
        assertEquals(1, got.size());
        return got.get(0);
    }

    @Test
    void aScanWhoseRegionSplitWhileItWaitedIsRefusedWithTheNewRegion(@TempDir Path dir) {
        // Asked of version 1 (the region then ended at "z"); version 2 ends at "m" after a split.
        RaftCmdResponse r = serveOne(scanFrom("a", 1), region(2, "m"), dir);
        assertTrue(r.getHeader().getError().hasEpochNotMatch(), "got " + r);
        assertEquals(List.of(region(2, "m")), r.getHeader().getError().getEpochNotMatch().getCurrentRegionsList());
    }

    @Test
    void aScanOfTheCurrentEpochIsServed(@TempDir Path dir) {
        RaftCmdResponse r = serveOne(scanFrom("a", 2), region(2, "m"), dir);
        assertFalse(r.getHeader().hasError(), "got " + r);
        assertEquals(CmdType.Scan, r.getResponses(0).getCmdType());
    }
}
