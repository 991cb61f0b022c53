package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.client.RegionKvClient;
import io.regionkv.client.RegionKvException;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Errorpb.Invalid.Reason;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.ChangePeerRequest;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.TransferLeaderRequest;
import io.regionkv.proto.RaftCmdpb.DeleteRequest;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.ScanRequest;
import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Every kind of invalid command, sent to the leader of a live 3-node cluster, is answered with a typed
 * error and harms nothing: afterwards the same leader (same store, same term) serves a normal put and get.
 * Before the store checked commands at the door, one get of an unknown column family stopped the leader.
 */
class BadInputSweepTest {

    private static final Duration MUST = Duration.ofSeconds(30);
    private static final long REGION = RegionKvNode.FIRST_REGION_ID;

    @Test
    void everyInvalidCommandGetsATypedErrorAndTheRegionKeepsServing() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("BadInputSweep").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10))
                .withConfig("regionkv.engine.max-value-size = 1KiB"))) {
            RecordedClient client = cluster.client(0);
            client.mustPut("k", "v0", MUST);
            PeerStatus leader = cluster.awaitLeader(REGION, MUST);
            long store = leader.storeId();

            // Through the client: a column family no store knows, on every operation.
            RegionKvClient raw = client.raw();
            ByteString k = ByteString.copyFromUtf8("k");
            assertInvalid(raw.get("nope", k), Reason.UNKNOWN_COLUMN_FAMILY);
            assertInvalid(raw.put("nope", k, k), Reason.UNKNOWN_COLUMN_FAMILY);
            assertInvalid(raw.delete("nope", k), Reason.UNKNOWN_COLUMN_FAMILY);
            assertInvalid(raw.scan("nope", k, ByteString.EMPTY, 10), Reason.UNKNOWN_COLUMN_FAMILY);
            assertInvalid(raw.put(k, ByteString.copyFrom(new byte[2048])), Reason.VALUE_TOO_LARGE);

            // Straight to the leader's store: what the client would not send.
            Peer peer = leader.self();
            ByteString big = ByteString.copyFrom(new byte[600]);
            List<Case> cases = new ArrayList<>();
            cases.add(invalid("get of an empty key", cmd(peer, get("", ByteString.EMPTY)), Reason.EMPTY_KEY));
            cases.add(invalid("put of an empty key", cmd(peer, put("", ByteString.EMPTY, k)), Reason.EMPTY_KEY));
            cases.add(invalid("get of a 600-byte key", cmd(peer, get("", big)), Reason.KEY_TOO_LARGE));
            cases.add(invalid("put of a 600-byte key", cmd(peer, put("", big, k)), Reason.KEY_TOO_LARGE));
            cases.add(invalid("delete of a 600-byte key", cmd(peer, Request.newBuilder().setCmdType(CmdType.Delete)
                    .setDelete(DeleteRequest.newBuilder().setKey(big)).build()), Reason.KEY_TOO_LARGE));
            cases.add(invalid("oversize value", cmd(peer, put("", k, ByteString.copyFrom(new byte[2048]))),
                    Reason.VALUE_TOO_LARGE));
            cases.add(invalid("get in an unknown column family", cmd(peer, get("nope", k)), Reason.UNKNOWN_COLUMN_FAMILY));
            cases.add(invalid("inverted scan", cmd(peer, scan(b("z"), b("a"), 10)), Reason.INVERTED_RANGE));
            cases.add(invalid("scan limit 0", cmd(peer, scan(b("a"), b("z"), 0)), Reason.BAD_LIMIT));
            cases.add(invalid("scan limit above Integer.MAX_VALUE (negative as an int)", cmd(peer, scan(b("a"), b("z"), -5)),
                    Reason.BAD_LIMIT));
            cases.add(invalid("scan start of 600 bytes", cmd(peer, scan(big, ByteString.EMPTY, 10)), Reason.KEY_TOO_LARGE));
            cases.add(invalid("no requests", cmd(peer), Reason.MALFORMED_COMMAND));
            cases.add(invalid("reads and writes mixed", cmd(peer, get("", k), put("", k, k)), Reason.MALFORMED_COMMAND));
            cases.add(invalid("Put without its put field", cmd(peer, Request.newBuilder().setCmdType(CmdType.Put).build()),
                    Reason.MALFORMED_COMMAND));
            cases.add(invalid("request of type Invalid", cmd(peer, Request.newBuilder().setCmdType(CmdType.Invalid).build()),
                    Reason.MALFORMED_COMMAND));
            cases.add(invalid("unknown request type number", cmd(peer, Request.newBuilder().setCmdTypeValue(99).build()),
                    Reason.MALFORMED_COMMAND));
            cases.add(invalid("no header", RaftCmdRequest.newBuilder().addRequests(get("", k)).build(),
                    Reason.MALFORMED_COMMAND));
            cases.add(invalid("a peer change naming peer 0", admin(peer, AdminRequest.newBuilder()
                    .setCmdType(AdminCmdType.ChangePeer).setChangePeer(ChangePeerRequest.newBuilder()
                            .setChangeType(ConfChangeType.AddNode).setPeer(Peer.newBuilder().setStoreId(store))).build()),
                    Reason.MALFORMED_COMMAND));
            cases.add(invalid("a leader transfer naming no peer", admin(peer, AdminRequest.newBuilder()
                    .setCmdType(AdminCmdType.TransferLeader).build()), Reason.MALFORMED_COMMAND));
            cases.add(invalid("admin command InvalidAdmin", admin(peer, AdminRequest.newBuilder()
                    .setCmdType(AdminCmdType.InvalidAdmin).build()), Reason.UNSUPPORTED));
            cases.add(invalid("an admin command with requests", admin(peer, AdminRequest.newBuilder()
                    .setCmdType(AdminCmdType.TransferLeader).setTransferLeader(TransferLeaderRequest.newBuilder()
                            .setPeer(peer)).build()).toBuilder().addRequests(get("", k)).build(),
                    Reason.MALFORMED_COMMAND));
            cases.add(new Case("a command naming another store",
                    cmd(peer.toBuilder().setStoreId(store + 100).build(), get("", k)),
                    e -> e.hasStoreNotMatch() && e.getStoreNotMatch().getActualStoreId() == store));
            for (Case c : cases) {
                Optional<RaftCmdResponse> r = cluster.sendTo(store, c.request(), Duration.ofSeconds(10));
                assertTrue(r.isPresent(), c.name() + ": no answer");
                Errorpb.Error e = r.get().getHeader().getError();
                assertTrue(c.expected().test(e), c.name() + ": answered " + r.get());
            }

            // Nothing changed: the same leader in the same term, all three peers alive, and it serves.
            client.mustPut("k", "v1", MUST);
            assertEquals(Optional.of("v1"), client.mustGet("k", MUST));
            PeerStatus after = cluster.awaitLeader(REGION, MUST);
            assertEquals(store, after.storeId(), "the leader moved");
            assertEquals(leader.term(), after.term(), "a new term began: the bad input cost the leader");
            assertEquals(3, cluster.statuses(REGION).size(), "every store still has its peer");
            cluster.assertLinearizable();
        }
    }

    private record Case(String name, RaftCmdRequest request, Predicate<Errorpb.Error> expected) {}

    private static Case invalid(String name, RaftCmdRequest request, Reason reason) {
        return new Case(name, request, e -> e.hasInvalid() && e.getInvalid().getReason() == reason);
    }

    private static void assertInvalid(CompletionStage<?> call, Reason reason) throws Exception {
        try {
            Object v = call.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected Invalid " + reason + ", got " + v);
        } catch (ExecutionException ee) {
            RegionKvException e = assertInstanceOf(RegionKvException.class, ee.getCause());
            assertEquals(reason, e.storeError().orElseThrow(() -> new AssertionError("untyped: " + e))
                    .getInvalid().getReason(), e.toString());
        }
    }

    private static RaftCmdRequest cmd(Peer peer, Request... requests) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(REGION).setPeer(peer)
                        .setUuid(ByteString.copyFromUtf8("sweep-" + System.nanoTime())))
                .addAllRequests(List.of(requests)).build();
    }

    private static RaftCmdRequest admin(Peer peer, AdminRequest admin) {
        return cmd(peer).toBuilder().setAdminRequest(admin).build();
    }

    private static Request get(String cf, ByteString key) {
        return Request.newBuilder().setCmdType(CmdType.Get).setGet(GetRequest.newBuilder().setCf(cf).setKey(key)).build();
    }

    private static Request put(String cf, ByteString key, ByteString value) {
        return Request.newBuilder().setCmdType(CmdType.Put)
                .setPut(PutRequest.newBuilder().setCf(cf).setKey(key).setValue(value)).build();
    }

    private static Request scan(ByteString start, ByteString end, int limit) {
        return Request.newBuilder().setCmdType(CmdType.Scan)
                .setScan(ScanRequest.newBuilder().setStartKey(start).setEndKey(end).setLimit(limit)).build();
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
