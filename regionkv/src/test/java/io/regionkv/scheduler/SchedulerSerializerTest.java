package io.regionkv.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import java.io.NotSerializableException;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every scheduler message survives the wire, is bound to this serializer, and garbage is refused typed. */
class SchedulerSerializerTest {

    private static ActorTestKit kit;
    private static SchedulerSerializer serializer;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
        serializer = new SchedulerSerializer((ExtendedActorSystem) Adapter.toClassic(kit.system()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static Object roundTrip(Object o) throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(o), serializer.manifest(o));
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        Peer p1 = Peer.newBuilder().setId(11).setStoreId(1).build();
        Peer p2 = Peer.newBuilder().setId(12).setStoreId(2).build();
        Region region = Region.newBuilder().setId(5).setStartKey(ByteString.copyFromUtf8("a"))
                .setEndKey(ByteString.copyFromUtf8("m")).setRegionEpoch(RegionEpoch.newBuilder().setVersion(3).setConfVer(2))
                .addPeers(p1).addPeers(p2).build();
        List<Object> messages = List.of(
                new SchedulerCommand.AllocIds(3, kit.<SchedulerReply.IdsReply>createTestProbe().getRef()),
                new SchedulerCommand.GetTimestamp(1, kit.<SchedulerReply.TsoReply>createTestProbe().getRef()),
                new SchedulerCommand.RegionHeartbeat(region, p1, 1234, 56, List.of(p2), List.of(p2),
                        kit.<SchedulerReply.HeartbeatReply>createTestProbe().getRef()),
                new SchedulerCommand.RegionHeartbeat(region, null, 0, 0, List.of(), List.of(), null),
                new SchedulerCommand.StoreHeartbeat(2, 1000, 600, 300, 7, 3),
                new SchedulerCommand.GetRegion(ByteString.copyFromUtf8("k"), kit.<SchedulerReply.Regions>createTestProbe().getRef()),
                new SchedulerCommand.GetRegionById(5, kit.<SchedulerReply.Regions>createTestProbe().getRef()),
                new SchedulerCommand.ScanRegions(ByteString.EMPTY, ByteString.copyFromUtf8("z"), 10,
                        kit.<SchedulerReply.Regions>createTestProbe().getRef()),
                new SchedulerCommand.AskSplit(region, kit.<SchedulerReply.AskSplitReply>createTestProbe().getRef()),
                new SchedulerReply.Ids(1000, 3),
                new SchedulerReply.Timestamp(1_700_000_000_000L, 42, 1),
                new SchedulerReply.Regions(List.of(new SchedulerReply.RegionInfo(region, Optional.of(p2)),
                        new SchedulerReply.RegionInfo(region, Optional.empty()))),
                new SchedulerReply.SplitIds(1001, List.of(1002L, 1003L)),
                new SchedulerReply.Unavailable("loading"),
                new SchedulerReply.Refused("bad count"),
                new SchedulerReply.Stale(5, "older"),
                new SchedulerCommand.GetStores(kit.<SchedulerReply.Stores>createTestProbe().getRef()),
                new SchedulerReply.Stores(List.of(new SchedulerReply.StoreInfo(1, 100, 50, 40, 3, 1, StoreState.Up),
                        new SchedulerReply.StoreInfo(2, 100, 60, 30, 3, 2, StoreState.Down))),
                new SchedulerReply.Operate(7, SchedulerReply.OperateKind.REMOVE_PEER, p2));
        var serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        for (Object m : messages) {
            assertEquals(m, roundTrip(m));
            assertEquals(SchedulerSerializer.class, serialization.findSerializerFor(m).getClass(), m.toString());
        }
    }

    @Test
    void malformedBytesAndUnknownManifestsAreRefusedTyped() {
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {(byte) 0xff, 1}, "AI"));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "??"));
        // A request without its reply address cannot be answered.
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "AI"));
    }
}
