package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.Storepb;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batched client messages through our serializer, and the typed refusal of malformed ones. */
class RegionKvSerializerTest {

    private static ActorTestKit kit;
    private static RegionKvSerializer serializer;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
        serializer = new RegionKvSerializer((ExtendedActorSystem) Adapter.toClassic(kit.system()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static RaftCmdRequest request(String uuid) {
        return RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(3).setUuid(ByteString.copyFromUtf8(uuid))).build();
    }

    private static RaftCmdResponse response(String uuid) {
        return RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(ByteString.copyFromUtf8(uuid))).build();
    }

    private static Object roundTrip(Object o) throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(o), serializer.manifest(o));
    }

    @Test
    void batchesRoundTripInOrder() throws Exception {
        TestProbe<CommandReply> replyTo = kit.createTestProbe();
        CommandEnvelope envelope = new CommandEnvelope(List.of(request("1"), request("2"), request("3")), replyTo.getRef());
        assertEquals(envelope, roundTrip(envelope));
        CommandReply reply = new CommandReply(List.of(response("1"), response("2")));
        assertEquals(reply, roundTrip(reply));
    }

    @Test
    void emptyOrMalformedBatchesAreRefusedWithATypedError() {
        String envelopeManifest = serializer.manifest(CommandEnvelope.of(request("1"), kit.<CommandReply>createTestProbe().getRef()));
        String replyManifest = serializer.manifest(CommandReply.of(response("1")));
        byte[] emptyEnvelope = Storepb.CommandEnvelope.newBuilder().setReplyTo("x").build().toByteArray();
        byte[] emptyReply = Storepb.CommandReply.getDefaultInstance().toByteArray();
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(emptyEnvelope, envelopeManifest));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(emptyReply, replyManifest));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {(byte) 0xff, 1}, replyManifest));
    }

    @Test
    void emptyBatchesCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new CommandReply(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new CommandEnvelope(List.of(), kit.<CommandReply>createTestProbe().getRef()));
    }
}
