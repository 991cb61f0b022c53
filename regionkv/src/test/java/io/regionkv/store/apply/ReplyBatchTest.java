package io.regionkv.store.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.GetResponse;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Response;
import io.regionkv.transport.CommandReply;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How a peer folds the answers of one step into replies: one per client, in order, bounded in size. */
class ReplyBatchTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static RaftCmdResponse answer(String uuid, int valueBytes) {
        return RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(ByteString.copyFromUtf8(uuid)))
                .addResponses(Response.newBuilder().setGet(GetResponse.newBuilder()
                        .setValue(ByteString.copyFrom(new byte[valueBytes]))))
                .build();
    }

    @Test
    void oneReplyPerClientWithItsAnswersInOrder() {
        TestProbe<CommandReply> a = kit.createTestProbe();
        TestProbe<CommandReply> b = kit.createTestProbe();
        ReplyBatch batch = new ReplyBatch();
        batch.add(a.getRef(), answer("a1", 1));
        batch.add(b.getRef(), answer("b1", 1));
        batch.add(a.getRef(), answer("a2", 1));
        batch.add(a.getRef(), answer("a3", 1));
        a.expectNoMessage(Duration.ofMillis(50));
        batch.send();

        assertEquals(List.of(answer("a1", 1), answer("a2", 1), answer("a3", 1)),
                a.receiveMessage(Duration.ofSeconds(5)).responses());
        assertEquals(List.of(answer("b1", 1)), b.receiveMessage(Duration.ofSeconds(5)).responses());
        a.expectNoMessage(Duration.ofMillis(50));

        batch.send(); // nothing gathered since: nothing sent
        a.expectNoMessage(Duration.ofMillis(50));
        b.expectNoMessage(Duration.ofMillis(50));
    }
}
