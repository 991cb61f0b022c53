package io.regionkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftCmdpb;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Response;
import io.regionkv.scheduler.SchedulerActor;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerSettings;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client asks the scheduler's directory (a real {@link SchedulerActor}, filled by a heartbeat) which
 * region holds a key before it asks any store, and falls back to the stores when the directory does not
 * know the key or the scheduler is silent.
 */
class SchedulerLookupTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicLong nextStoreId = new AtomicLong(500);
    private static ActorTestKit kit;
    private static ActorRef<SchedulerCommand> scheduler;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create(ClusterSystems.SYSTEM_NAME, ClusterSystems.nodeConfig());
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        ClusterSystems.awaitUp(List.of(kit.system()), WAIT);
        // Its marks never load here (no store holds them); the directory answers regardless.
        RegionKvClient internal = new RegionKvClient(kit.system(), ClientSettings.defaults());
        scheduler = kit.spawn(SchedulerActor.create(new SchedulerSettings("", 1000, 100, Duration.ofSeconds(3), 100,
                Duration.ofSeconds(5)), new SystemKv(internal)), "scheduler");
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static ScriptedStore store() {
        long id = nextStoreId.incrementAndGet();
        ScriptedStore s = new ScriptedStore(id);
        ActorRef<StoreWire> ref = kit.spawn(s.behavior(), "store-" + id);
        StoreDirectory directory = StoreDirectory.get(kit.system());
        directory.register(id, ref);
        ClusterSystems.awaitCondition("store " + id + " in directory", WAIT, () -> directory.lookup(id).isPresent());
        return s;
    }

    private static Optional<RaftCmdResponse> value(CommandEnvelope cmd, String v) {
        return Optional.of(RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(cmd.single().getHeader().getUuid()))
                .addResponses(Response.newBuilder().setCmdType(CmdType.Get)
                        .setGet(RaftCmdpb.GetResponse.newBuilder().setValue(ByteString.copyFromUtf8(v))))
                .build());
    }

    private static RegionKvClient client(ScriptedStore initial, Optional<ActorRef<SchedulerCommand>> withScheduler) {
        return new RegionKvClient(kit.system(), ClientSettings.defaults().withRequestTimeout(Duration.ofSeconds(5))
                .withInitialStores(List.of(initial.storeId)), new Random(7), withScheduler);
    }

    /**
     * The look-ups a store received for {@code key}. Only those count: the scheduler's own client keeps
     * asking every store this node knows for the region of its marks (which no store here holds), so a
     * scripted store also sees look-ups for those keys, at times of its own.
     */
    private static List<RegionLookup> lookupsOf(ScriptedStore store, String key) {
        ByteString k = ByteString.copyFromUtf8(key);
        return store.lookups.stream().filter(l -> l.key().equals(k)).toList();
    }

    @Test
    void theDirectoryNamesTheRegionAndNoStoreIsAsked() throws Exception {
        ScriptedStore asked = store();
        ScriptedStore leader = store();
        Region r = Region.newBuilder().setId(77).setStartKey(ByteString.copyFromUtf8("d"))
                .setEndKey(ByteString.copyFromUtf8("f")).setRegionEpoch(RegionEpoch.newBuilder().setVersion(2).setConfVer(1))
                .addPeers(Peer.newBuilder().setId(771).setStoreId(leader.storeId)).build();
        scheduler.tell(new SchedulerCommand.RegionHeartbeat(r, r.getPeers(0), 0, 0, List.of(), List.of(), null));
        leader.onCommand = (cmd, n) -> value(cmd, "from-leader");

        RegionKvClient client = client(asked, Optional.of(scheduler));
        Optional<ByteString> got = client.get(ByteString.copyFromUtf8("e")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(ByteString.copyFromUtf8("from-leader")), got);
        assertTrue(lookupsOf(asked, "e").isEmpty(), "a store was asked although the directory knew the region");
        assertEquals(77, leader.commands.poll().single().getHeader().getRegionId());

        // Without the scheduler the same client setup has to ask the store (which here knows nothing).
        RegionKvClient storesOnly = client(asked, Optional.empty());
        storesOnly.get(ByteString.copyFromUtf8("e")).toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
        assertTrue(!lookupsOf(asked, "e").isEmpty(), "the stores-only client never asked the store");
    }

    @Test
    void keysTheDirectoryDoesNotKnowAndASilentSchedulerFallBackToTheStores() throws Exception {
        ScriptedStore s = store();
        Region r = Region.newBuilder().setId(88).setStartKey(ByteString.copyFromUtf8("x"))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(1).setConfVer(1))
                .addPeers(Peer.newBuilder().setId(881).setStoreId(s.storeId)).build();
        s.onLookup = l -> Optional.of(new RegionLookupReply(s.storeId, Optional.of(r), Optional.of(r.getPeers(0))));
        s.onCommand = (cmd, n) -> value(cmd, "from-store");
        assertEquals(Optional.of(ByteString.copyFromUtf8("from-store")), client(s, Optional.of(scheduler))
                .get(ByteString.copyFromUtf8("xyz")).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(!lookupsOf(s, "xyz").isEmpty(), "the directory did not know the key, yet no store was asked");

        ActorRef<SchedulerCommand> silent = kit.system().ignoreRef();
        assertEquals(Optional.of(ByteString.copyFromUtf8("from-store")), client(s, Optional.of(silent))
                .get(ByteString.copyFromUtf8("xz")).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
}
