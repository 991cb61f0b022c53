package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.transport.CommandReply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Writes waiting to be proposed together: those of one mailbox batch, and those that arrived while the
 * leader's last round was not committed yet (see {@code PeerProposals}). One raft proposal of many entries
 * makes the leader send one append per follower (and get one answer back) instead of one per write; under
 * load that is most of the messages a write costs. Each write stays its own entry, so it is applied and
 * answered on its own.
 */
final class ProposalBatch {

    /** A validated write, not yet in the raft log. */
    record Pending(ByteString data, ActorRef<CommandReply> replyTo, ByteString uuid, long deadlineNanos) {}

    private List<Pending> pending = new ArrayList<>();

    void add(Pending p) {
        pending.add(p);
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /** Removes and returns the writes whose deadline has passed at {@code nowNanos}, in arrival order. */
    List<Pending> drainExpired(long nowNanos) {
        List<Pending> expired = List.of();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.deadlineNanos() >= 0) {
                if (expired.isEmpty()) expired = new ArrayList<>();
                expired.add(p);
                it.remove();
            }
        }
        return expired;
    }

    /** The writes collected so far, in arrival order; the batch starts empty again. */
    List<Pending> drain() {
        List<Pending> out = pending;
        pending = new ArrayList<>();
        return out;
    }
}
