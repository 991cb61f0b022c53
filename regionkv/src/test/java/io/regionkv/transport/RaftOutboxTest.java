package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-store raft outbox, driven by a hand-run executor: what a burst becomes on the wire. */
class RaftOutboxTest {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final List<StoreWire> wire = new ArrayList<>();

    private static RaftMessage message(int region, int payload) {
        return RaftMessage.newBuilder().setRegionId(region)
                .setFromPeer(Peer.newBuilder().setId(1).setStoreId(1)).setToPeer(Peer.newBuilder().setId(2).setStoreId(2))
                .setMessage(Message.newBuilder().setMsgType(MessageType.MsgAppend).setTerm(1)
                        .setContext(ByteString.copyFrom(new byte[payload])))
                .build();
    }

    private static List<RaftMessage> unwrap(List<StoreWire> wire) {
        List<RaftMessage> out = new ArrayList<>();
        for (StoreWire w : wire) {
            if (w instanceof RaftBatch b) out.addAll(b.messages());
            else out.add(((RaftEnvelope) w).message());
        }
        return out;
    }

    @Test
    void aBurstLeavesAsOneBatchInOrderAndALoneMessageAsAPlainEnvelope() {
        RaftOutbox outbox = new RaftOutbox(tasks::add, 240 * 1024, wire::add);
        outbox.send(message(1, 10));
        assertEquals(1, tasks.size(), "the first message schedules one flush");
        tasks.poll().run();
        assertInstanceOf(RaftEnvelope.class, wire.get(0));

        wire.clear();
        List<RaftMessage> burst = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            burst.add(message(i, 10));
            outbox.send(burst.get(i));
        }
        assertEquals(1, tasks.size(), "one flush for the whole burst");
        tasks.poll().run();
        assertEquals(1, wire.size());
        assertEquals(burst, unwrap(wire));
    }

    @Test
    void aBatchStaysUnderTheByteBound() {
        long bound = 10_000;
        RaftOutbox outbox = new RaftOutbox(tasks::add, bound, wire::add);
        List<RaftMessage> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(message(i, 3_000));
            outbox.send(burst.get(i));
        }
        tasks.poll().run();
        assertEquals(burst, unwrap(wire), "nothing lost or reordered across batches");
        for (StoreWire w : wire) {
            long bytes = w instanceof RaftBatch b
                    ? io.regionkv.proto.RaftServerpb.RaftMessageBatch.newBuilder().addAllMessages(b.messages()).build()
                            .getSerializedSize()
                    : ((RaftEnvelope) w).message().getSerializedSize();
            assertTrue(bytes <= bound, "a remote message of " + bytes + " bytes over the bound of " + bound);
        }
        assertTrue(wire.size() >= 7, "20 messages of 3 KB need at least 7 batches of 10 KB: " + wire.size());
    }
}
