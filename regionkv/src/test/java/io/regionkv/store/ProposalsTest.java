package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.transport.CommandReply;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the leader's waiting proposals are answered. StaleCommand tells the client the write was not applied
 * and may be retried, so it must only be said when that is known: when another entry was applied at the
 * proposal's index. A snapshot skips the entries it covers, and a proposal among them may be in it.
 */
class ProposalsTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static Proposal proposal(long index, long term, TestProbe<CommandReply> client) {
        return new Proposal(index, term, client.ref(), ByteString.copyFromUtf8("u" + index), Long.MAX_VALUE);
    }

    private static RaftCmdResponse answer(TestProbe<CommandReply> client) {
        CommandReply reply = client.receiveMessage(Duration.ofSeconds(5));
        assertEquals(1, reply.responses().size());
        return reply.responses().get(0);
    }

    @Test
    void proposalsASnapshotCoveredEndWithOutcomeUnknownNotStale() {
        StoreMetrics metrics = new StoreMetrics();
        Proposals proposals = new Proposals(metrics);
        TestProbe<CommandReply> five = kit.createTestProbe();
        TestProbe<CommandReply> six = kit.createTestProbe();
        TestProbe<CommandReply> seven = kit.createTestProbe();
        proposals.add(proposal(5, 2, five));
        proposals.add(proposal(6, 2, six));
        proposals.add(proposal(7, 2, seven));

        proposals.onSnapshotInstalled(6);

        for (TestProbe<CommandReply> covered : java.util.List.of(five, six)) {
            RaftCmdResponse r = answer(covered);
            assertTrue(r.getHeader().getError().hasTimeout(), "outcome unknown: " + r);
            assertFalse(r.getHeader().getError().hasStaleCommand(), "never stale: " + r);
        }
        assertEquals(2, metrics.proposals(StoreMetrics.ProposalOutcome.ABANDONED));
        assertEquals(0, metrics.proposals(StoreMetrics.ProposalOutcome.STALE));
        seven.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, proposals.size());

        // The entry after the snapshot is applied as proposed: answered with its result.
        ReplyBatch answers = new ReplyBatch();
        proposals.onApplied(7, 2, RaftCmdResponse.getDefaultInstance(), answers);
        answers.send();
        assertFalse(answer(seven).getHeader().hasError());
        assertEquals(1, metrics.proposals(StoreMetrics.ProposalOutcome.APPLIED));
    }

    @Test
    void anotherEntryAtTheProposalsIndexMakesItStale() {
        StoreMetrics metrics = new StoreMetrics();
        Proposals proposals = new Proposals(metrics);
        TestProbe<CommandReply> client = kit.createTestProbe();
        proposals.add(proposal(5, 2, client));
        ReplyBatch answers = new ReplyBatch();
        proposals.onApplied(5, 3, RaftCmdResponse.getDefaultInstance(), answers); // a newer leader's entry
        answers.send();
        assertTrue(answer(client).getHeader().getError().hasStaleCommand());
        assertEquals(1, metrics.proposals(StoreMetrics.ProposalOutcome.STALE));
    }
}
