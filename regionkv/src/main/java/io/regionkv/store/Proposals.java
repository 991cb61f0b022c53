package io.regionkv.store;

import io.regionkv.proto.Errorpb;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.transport.CommandReply;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The leader's proposals in log order, matched against entries as they are applied. An entry applied at
 * a proposal's index with another term means the proposal was overwritten by a newer leader: it was not
 * applied and gets {@code StaleCommand}, which a client may safely retry.
 */
final class Proposals {

    private final ArrayDeque<Proposal> queue = new ArrayDeque<>();
    private final StoreMetrics metrics;

    Proposals(StoreMetrics metrics) {
        this.metrics = metrics;
    }

    void add(Proposal p) {
        queue.addLast(p);
    }

    int size() {
        return queue.size();
    }

    /**
     * Entry {@code index} of {@code term} was applied with {@code response}; answers whoever waits for it
     * (and the proposals it overtook) into {@code answers}, which the caller sends.
     */
    void onApplied(long index, long term, RaftCmdResponse response, ReplyBatch answers) {
        while (!queue.isEmpty() && queue.peekFirst().index() <= index) {
            Proposal p = queue.pollFirst();
            if (p.index() == index && p.term() == term) {
                metrics.proposals(StoreMetrics.ProposalOutcome.APPLIED, 1);
                answers.add(p.replyTo(), response.toBuilder()
                        .setHeader(response.getHeader().toBuilder().setUuid(p.uuid()).setCurrentTerm(term)).build());
            } else {
                metrics.proposals(StoreMetrics.ProposalOutcome.STALE, 1);
                answers.add(p.replyTo(), RegionErrors.response(p.uuid(), RegionErrors.staleCommand()));
            }
        }
    }

    /**
     * A snapshot up to {@code snapshotIndex} was installed: the entries at or below it were never applied
     * here one by one, so whether each waiting proposal among them is in the snapshot's state is unknown
     * (a newer leader may have committed it before compacting, or overwritten it). They get a timeout,
     * outcome unknown; never {@code StaleCommand}, which would invite a retry that could apply the write a
     * second time, after writes that followed it (seen: PersistPartition2B read an overwritten value back).
     */
    void onSnapshotInstalled(long snapshotIndex) {
        int unknown = 0;
        while (!queue.isEmpty() && queue.peekFirst().index() <= snapshotIndex) {
            Proposal p = queue.pollFirst();
            unknown++;
            answer(p, RegionErrors.timeout("proposal at index " + p.index() + " was covered by a snapshot up to "
                    + snapshotIndex + "; outcome unknown"));
        }
        metrics.proposals(StoreMetrics.ProposalOutcome.ABANDONED, unknown);
    }

    /** Answers proposals past their deadline with a timeout error, so nothing waits forever. */
    void expire(long nowNanos) {
        for (Iterator<Proposal> it = queue.iterator(); it.hasNext(); ) {
            Proposal p = it.next();
            if (nowNanos - p.deadlineNanos() >= 0) {
                it.remove();
                metrics.proposals(StoreMetrics.ProposalOutcome.TIMEOUT, 1);
                answer(p, RegionErrors.timeout("proposal at index " + p.index() + " not applied in time; outcome unknown"));
            }
        }
    }

    /** The peer is going away: every waiting proposal is answered with {@code error}. */
    void failAll(Errorpb.Error error) {
        metrics.proposals(StoreMetrics.ProposalOutcome.ABANDONED, queue.size());
        for (Proposal p : queue) {
            answer(p, error);
        }
        queue.clear();
    }

    /** Answers {@code p} alone with {@code error}, at once. */
    private static void answer(Proposal p, Errorpb.Error error) {
        p.replyTo().tell(CommandReply.of(RegionErrors.response(p.uuid(), error)));
    }
}
