package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.Errorpb.Invalid.Reason;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.DeleteRequest;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.ScanRequest;
import io.regionkv.proto.RaftCmdpb.SplitRequest;
import io.regionkv.RegionKvNode;
import io.regionkv.transport.ArteryRaftTransport;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One store holding one single-voter region, driven with raw commands through the store's router: the
 * typed errors a peer answers, and that a refused command changes nothing.
 */
class SingleStoreCommandTest {

    private static ActorTestKit kit;
    private static RegionKvNode node;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("regionkv-single");
        kit = ActorTestKit.create(ConfigFactory.parseString("regionkv.raft.tick-interval = 20ms")
                .withFallback(ConfigFactory.load()));
        StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseString(
                "regionkv.store-id = 1\nregionkv.initial-stores = [1]\nregionkv.data-dir = \"" + dir + "\"")
                .withFallback(kit.system().settings().config()));
        node = RegionKvNode.start(kit.system(), settings, new ArteryRaftTransport(StoreDirectory.get(kit.system())));
        // Wait for the single voter to elect itself and apply its first entry.
        awaitOk(write(put("warmup", "x")));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
        TempDirs.deleteTree(dir);
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static Request put(String k, String v) {
        return put("", b(k), b(v));
    }

    private static Request put(String cf, ByteString k, ByteString v) {
        return Request.newBuilder().setCmdType(CmdType.Put).setPut(PutRequest.newBuilder().setCf(cf).setKey(k).setValue(v)).build();
    }

    private static Request get(String k) {
        return Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setKey(b(k))).build();
    }

    private static RaftCmdRequest write(Request... requests) {
        return cmd(1, null, requests);
    }

    private static RaftCmdRequest cmd(long region, RegionEpoch epoch, Request... requests) {
        RaftRequestHeader.Builder h = RaftRequestHeader.newBuilder().setRegionId(region).setUuid(b("u"));
        if (epoch != null) h.setRegionEpoch(epoch);
        return RaftCmdRequest.newBuilder().setHeader(h).addAllRequests(List.of(requests)).build();
    }

    private static RaftCmdResponse send(RaftCmdRequest req) {
        TestProbe<CommandReply> probe = kit.createTestProbe();
        node.store().tell(new StoreCommand.Inbound(CommandEnvelope.of(req, probe.getRef())));
        return probe.receiveMessage(Duration.ofSeconds(10)).single();
    }

    private static RaftCmdResponse awaitOk(RaftCmdRequest req) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        RaftCmdResponse r;
        do {
            r = send(req);
            if (!r.getHeader().hasError()) return r;
        } while (System.nanoTime() < deadline && r.getHeader().getError().hasNotLeader());
        throw new AssertionError("command failed: " + r);
    }

    private static String error(RaftCmdResponse r) {
        assertTrue(r.getHeader().hasError(), "expected an error, got " + r);
        return r.getHeader().getError().getMessage();
    }

    private static boolean absent(String key) {
        return send(write(get(key))).getResponses(0).getGet().getNotFound();
    }

    @Test
    void severalRequestsInOneCommandApplyTogether() {
        awaitOk(write(put("a", "1"), put("b", "2"), put("write", ByteString.copyFromUtf8("c"), b("3"))));
        RaftCmdResponse r = awaitOk(write(get("a"), get("b")));
        assertEquals("1", r.getResponses(0).getGet().getValue().toStringUtf8());
        assertEquals("2", r.getResponses(1).getGet().getValue().toStringUtf8());
        awaitOk(write(Request.newBuilder().setCmdType(CmdType.Delete)
                .setDelete(DeleteRequest.newBuilder().setKey(b("a"))).build()));
        assertTrue(absent("a"));
    }

    @Test
    void everyCommandOfAnEnvelopeIsAnsweredOnItsOwn() {
        awaitOk(write(put("warm-batch", "x")));
        RaftCmdRequest putA = withUuid(write(put("batch-a", "1")), "ba");
        RaftCmdRequest nowhere = withUuid(cmd(42, null, get("batch-a")), "bn");
        RaftCmdRequest putB = withUuid(write(put("batch-b", "2")), "bb");
        RaftCmdRequest bad = withUuid(write(put("", ByteString.EMPTY, b("v"))), "bx");
        TestProbe<CommandReply> probe = kit.createTestProbe();
        node.store().tell(new StoreCommand.Inbound(new CommandEnvelope(List.of(putA, nowhere, putB, bad), probe.getRef())));

        java.util.Map<String, RaftCmdResponse> byUuid = new java.util.HashMap<>();
        while (byUuid.size() < 4) {
            for (RaftCmdResponse r : probe.receiveMessage(Duration.ofSeconds(10)).responses()) {
                RaftCmdResponse earlier = byUuid.put(r.getHeader().getUuid().toStringUtf8(), r);
                assertEquals(null, earlier, "answered twice: " + r);
            }
        }
        assertFalse(byUuid.get("ba").getHeader().hasError(), byUuid.get("ba").toString());
        assertFalse(byUuid.get("bb").getHeader().hasError(), byUuid.get("bb").toString());
        assertTrue(byUuid.get("bn").getHeader().getError().hasRegionNotFound());
        assertEquals(Reason.EMPTY_KEY, reason(byUuid.get("bx")));
        assertEquals("1", awaitOk(write(get("batch-a"))).getResponses(0).getGet().getValue().toStringUtf8());
        assertEquals("2", awaitOk(write(get("batch-b"))).getResponses(0).getGet().getValue().toStringUtf8());
    }

    private static RaftCmdRequest withUuid(RaftCmdRequest req, String uuid) {
        return req.toBuilder().setHeader(req.getHeader().toBuilder().setUuid(b(uuid))).build();
    }

    @Test
    void aScanAnswerStopsAtItsByteBoundAndSaysThereIsMore() {
        ByteString big = ByteString.copyFrom(new byte[100 * 1024]);
        for (int i = 0; i < 4; i++) awaitOk(write(put("", b("big-" + i), big)));
        RaftCmdResponse r = awaitOk(write(Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setStartKey(b("big-")).setEndKey(b("big.")).setLimit(10)).build()));
        var scan = r.getResponses(0).getScan();
        assertEquals(1, scan.getKvsCount(), "two 100 KiB values do not fit in one answer");
        assertTrue(scan.getMore());
        assertTrue(r.getSerializedSize() < 256 * 1024, "fits in an Artery frame: " + r.getSerializedSize());
        RaftCmdResponse rest = awaitOk(write(Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setStartKey(b("big-3")).setEndKey(b("big.")).setLimit(10)).build()));
        assertEquals(1, rest.getResponses(0).getScan().getKvsCount());
        assertFalse(rest.getResponses(0).getScan().getMore(), "the range ended: no more");
    }

    @Test
    void scanHonoursBoundsLimitAndColumnFamily() {
        awaitOk(write(put("s1", "1"), put("s2", "2"), put("s3", "3"), put("lock", b("s2"), b("L"))));
        RaftCmdResponse r = awaitOk(write(Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setStartKey(b("s1")).setEndKey(b("s3")).setLimit(10)).build()));
        assertEquals(2, r.getResponses(0).getScan().getKvsCount());
        RaftCmdResponse limited = awaitOk(write(Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setStartKey(b("s1")).setLimit(1)).build()));
        assertEquals(1, limited.getResponses(0).getScan().getKvsCount());
        RaftCmdResponse locks = awaitOk(write(Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setCf("lock").setStartKey(b("s")).setLimit(100)).build()));
        assertEquals(1, locks.getResponses(0).getScan().getKvsCount());
        assertEquals("L", locks.getResponses(0).getScan().getKvs(0).getValue().toStringUtf8());
    }

    @Test
    void badInputIsRefusedWithAClearErrorAndChangesNothing() {
        assertEquals(Reason.EMPTY_KEY, reason(send(write(put("", ByteString.EMPTY, b("v"))))));
        RaftCmdResponse tooLong = send(write(put("", ByteString.copyFrom(new byte[600]), b("v"))));
        assertEquals(Reason.KEY_TOO_LARGE, reason(tooLong));
        assertTrue(error(tooLong).contains("600") && error(tooLong).contains("511"), error(tooLong));
        RaftCmdResponse tooBig = send(write(put("ok-key", "x"), put("", b("big"), ByteString.copyFrom(new byte[200 * 1024]))));
        assertEquals(Reason.VALUE_TOO_LARGE, reason(tooBig));
        assertTrue(absent("ok-key"), "a refused command must change nothing, not even its valid part");
        assertEquals(Reason.UNKNOWN_COLUMN_FAMILY, reason(send(write(put("nope", b("k"), b("v"))))));
        assertEquals(Reason.MALFORMED_COMMAND, reason(send(write(put("m1", "x"), get("m2")))));
        assertEquals(Reason.MALFORMED_COMMAND, reason(send(write())));
        assertTrue(absent("m1"));
    }

    private static Reason reason(RaftCmdResponse r) {
        assertTrue(r.getHeader().getError().hasInvalid(), "expected a typed Invalid error, got " + r);
        return r.getHeader().getError().getInvalid().getReason();
    }

    @Test
    void unknownRegionAndStaleEpochAreTypedErrors() {
        assertTrue(send(cmd(42, null, get("a"))).getHeader().getError().hasRegionNotFound());
        RaftCmdResponse stale = send(cmd(1, RegionEpoch.newBuilder().setConfVer(1).setVersion(0).build(), get("a")));
        assertTrue(stale.getHeader().getError().hasEpochNotMatch(), stale.toString());
        assertEquals(1, stale.getHeader().getError().getEpochNotMatch().getCurrentRegionsCount());
    }

    @Test
    void splitMovesKeysOutOfTheRegion() {
        awaitOk(write(put("zz", "before")));
        RaftCmdResponse bad = send(RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder().setRegionId(1))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.Split)
                        .setSplit(SplitRequest.newBuilder().setSplitKey(b("x")).setNewRegionId(7)))
                .build());
        assertEquals(Reason.UNSUPPORTED, reason(bad));
        assertTrue(error(bad).contains("one new peer id per peer"), error(bad)); // and the words say why
        RaftCmdResponse split = awaitOk(RaftCmdRequest.newBuilder().setHeader(RaftRequestHeader.newBuilder().setRegionId(1))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.Split)
                        .setSplit(SplitRequest.newBuilder().setSplitKey(b("x")).setNewRegionId(7).addNewPeerIds(70)))
                .build());
        assertEquals(2, split.getAdminResponse().getSplit().getRegionsCount());
        RaftCmdResponse outside = send(write(get("zz")));
        assertTrue(outside.getHeader().getError().hasKeyNotInRegion(), outside.toString());
        RaftCmdResponse inNew = awaitOk(cmd(7, null, get("zz")));
        assertEquals("before", inNew.getResponses(0).getGet().getValue().toStringUtf8());
        assertFalse(awaitOk(cmd(7, null, put("zy", "after"))).getHeader().hasError());
    }
}
