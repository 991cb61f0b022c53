package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.testkit.ClusterSystems;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two real nodes on loopback: raft messages and commands cross Artery through our serializer. */
class ArteryTransportTest {

    private static ActorSystem<Void> a;
    private static ActorSystem<Void> b;

    @BeforeAll
    static void start() {
        a = ClusterSystems.startNode(null);
        b = ClusterSystems.startNode(a);
        ClusterSystems.awaitUp(List.of(a, b), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        ClusterSystems.terminate(List.of(a, b));
    }

    private static RaftMessage raftMessage(long fromStore, long toStore) {
        return RaftMessage.newBuilder().setRegionId(7)
                .setFromPeer(Peer.newBuilder().setId(1).setStoreId(fromStore))
                .setToPeer(Peer.newBuilder().setId(2).setStoreId(toStore))
                .setMessage(Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setTerm(3).setFrom(1).setTo(2))
                .build();
    }

    @Test
    void raftMessageReachesTheRemoteStoreInbox() {
        TestProbe<StoreWire> inboxOnB = TestProbe.create(b);
        StoreDirectory.get(b).register(2, inboxOnB.getRef());
        StoreDirectory directoryOnA = StoreDirectory.get(a);
        ArteryRaftTransport transportOnA = new ArteryRaftTransport(directoryOnA);
        RaftMessage m = raftMessage(1, 2);
        // Until the Receptionist has told A where store 2 lives, sends are dropped and counted.
        transportOnA.send(m);
        ClusterSystems.awaitCondition("the send was dropped and counted", Duration.ofSeconds(10),
                () -> transportOnA.droppedUnknownStore() == 1);
        ClusterSystems.awaitCondition("store 2 known on A", Duration.ofSeconds(20),
                () -> directoryOnA.lookup(2).isPresent());
        transportOnA.send(m);
        assertEquals(m, ((RaftEnvelope) inboxOnB.receiveMessage(Duration.ofSeconds(10))).message());
        assertEquals(1, transportOnA.droppedUnknownStore());
    }

    /** A burst to one store crosses the wire in few remote messages (RaftBatch), every message in order. */
    @Test
    void aBurstOfRaftMessagesToOneStoreTravelsBatchedAndInOrder() {
        TestProbe<StoreWire> inboxOnB = TestProbe.create(b);
        StoreDirectory.get(b).register(4, inboxOnB.getRef());
        StoreDirectory directoryOnA = StoreDirectory.get(a);
        directoryOnA.lookup(4);
        ClusterSystems.awaitCondition("store 4 known on A", Duration.ofSeconds(20),
                () -> directoryOnA.lookup(4).isPresent());
        ArteryRaftTransport transportOnA = new ArteryRaftTransport(directoryOnA);
        List<RaftMessage> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RaftMessage m = raftMessage(1, 4).toBuilder().setRegionId(1000 + i).build();
            sent.add(m);
            transportOnA.send(m);
        }
        List<RaftMessage> received = new java.util.ArrayList<>();
        int remoteMessages = 0;
        while (received.size() < sent.size()) {
            StoreWire w = inboxOnB.receiveMessage(Duration.ofSeconds(10));
            remoteMessages++;
            if (w instanceof RaftBatch batch) received.addAll(batch.messages());
            else received.add(((RaftEnvelope) w).message());
        }
        assertEquals(sent, received);
        // Fewer remote messages than raft messages: some were folded. Not a tighter bound: a flush running on
        // another core can drain the sender's items almost one by one (163 of 200 was seen in a fresh CI),
        // so how much folds is a matter of scheduling; BurstBatcherTest checks the folding itself on a
        // hand-run executor.
        org.junit.jupiter.api.Assertions.assertTrue(remoteMessages < sent.size(),
                "200 messages sent in one burst took " + remoteMessages + " remote messages");
    }

    @Test
    void oversizedMessageIsDroppedAndCountedInsteadOfVanishingInArtery() {
        ArteryRaftTransport t = new ArteryRaftTransport(StoreDirectory.get(a));
        RaftMessage big = raftMessage(1, 2).toBuilder().setMessage(raftMessage(1, 2).getMessage().toBuilder()
                .setContext(ByteString.copyFrom(new byte[ArteryRaftTransport.MAX_MESSAGE_BYTES + 1]))).build();
        t.send(big);
        assertEquals(1, t.droppedTooLarge());
    }

    @Test
    void commandAndReplyCrossTheWireWithTheirReplyAddress() {
        TestProbe<StoreWire> inboxOnB = TestProbe.create(b);
        TestProbe<CommandReply> replyOnA = TestProbe.create(a);
        StoreDirectory onA = StoreDirectory.get(a);
        StoreDirectory.get(b).register(3, inboxOnB.getRef());
        ClusterSystems.awaitCondition("store 3 known on A", Duration.ofSeconds(20),
                () -> onA.lookup(3).isPresent());
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(7).setUuid(ByteString.copyFromUtf8("u1"))).build();
        RaftCmdRequest req2 = RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(8).setUuid(ByteString.copyFromUtf8("u2"))).build();
        onA.lookup(3).get().tell(new CommandEnvelope(java.util.List.of(req, req2), replyOnA.getRef()));
        CommandEnvelope got = (CommandEnvelope) inboxOnB.receiveMessage(Duration.ofSeconds(10));
        assertEquals(java.util.List.of(req, req2), got.requests(), "a batch arrives whole and in order");
        RaftCmdResponse resp = RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(ByteString.copyFromUtf8("u1"))).build();
        RaftCmdResponse resp2 = RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(ByteString.copyFromUtf8("u2"))).build();
        got.replyTo().tell(new CommandReply(java.util.List.of(resp, resp2)));
        assertEquals(java.util.List.of(resp, resp2), replyOnA.receiveMessage(Duration.ofSeconds(10)).responses());

        TestProbe<RegionLookupReply> lookupReply = TestProbe.create(a);
        onA.lookup(3).get().tell(new RegionLookup(ByteString.copyFromUtf8("k"), lookupReply.getRef()));
        RegionLookup lookup = (RegionLookup) inboxOnB.receiveMessage(Duration.ofSeconds(10));
        RegionLookupReply answer = new RegionLookupReply(3, Optional.of(Region.newBuilder().setId(7).build()),
                Optional.empty());
        lookup.replyTo().tell(answer);
        assertEquals(answer, lookupReply.receiveMessage(Duration.ofSeconds(10)));
    }
}
