package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Engine;
import io.regionkv.engine.InvalidInputException;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.AdminResponse;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.TransferLeaderResponse;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.StateType;
import io.regionkv.store.apply.ApplyBatch;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.store.apply.WriteCommands;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.ReplyOutbox;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A leader peer's proposals (DESIGN.md, "Write"): writes collected over a mailbox batch and proposed
 * together when it ends, admin commands proposed one by one, and every proposal raft took waiting in
 * log order for its entry to be applied. Runs on the peer's thread; the peer has already checked
 * leadership, epoch and key range.
 *
 * <p>With {@code hold-writes-until-commit}, writes also wait while entries this leader proposed are not
 * committed yet: the next round then carries all that arrived during this one. Nothing can commit sooner
 * for being proposed sooner (raft commits in log order, and the round in flight commits first), so the
 * hold costs a write at most the part of the next round it could have overlapped, and saves a round's
 * fixed cost (a raft-log write, one append and one answer per follower, an apply batch, the replies) per
 * round it folds away. With one region that is small: its rounds are already full, waiting on the
 * leader's one Ready in flight. With a store's load spread over many regions it is not.
 */
final class PeerProposals {

    private final RawNode raft;
    private final Engine kv;
    /** The NotLeader error naming the leader as this peer knows it now. */
    private final Supplier<Errorpb.Error> notLeader;
    private final ProposalBatch writeBatch = new ProposalBatch();
    private final boolean holdWritesUntilCommit;
    private final Proposals proposed;
    private final StoreMetrics metrics;
    private final ReplyOutbox replies;

    PeerProposals(RawNode raft, Engine kv, Supplier<Errorpb.Error> notLeader, StoreMetrics metrics,
            ReplyOutbox replies, boolean holdWritesUntilCommit) {
        this.holdWritesUntilCommit = holdWritesUntilCommit;
        this.replies = replies;
        this.raft = raft;
        this.kv = kv;
        this.notLeader = notLeader;
        this.metrics = metrics;
        this.proposed = new Proposals(metrics);
    }

    void proposeWrite(RaftCmdRequest req, ActorRef<CommandReply> replyTo, long deadline) {
        ByteString uuid = req.getHeader().getUuid();
        // The store checked it at the door; again here because building the batch throws on what it refuses.
        Errorpb.Error problem = CommandValidator.requestsProblem(req, Integer.MAX_VALUE);
        if (problem != null) {
            reply(replyTo, uuid, problem);
            return;
        }
        try {
            // Input the engine would refuse (InvalidInputException) must never reach the log, where every
            // replica would fail on it.
            kv.validate(batchOf(req));
        } catch (InvalidInputException e) {
            reply(replyTo, uuid, RegionErrors.invalid(e));
            return;
        }
        // Proposed with the rest of this mailbox batch when it ends (PeerActor.onHandleReady), or once the
        // round in flight commits.
        writeBatch.add(new ProposalBatch.Pending(req.toByteString(), replyTo, uuid, deadline));
    }

    /**
     * Proposes the writes collected so far as one raft message: all of them get log entries (consecutive
     * indexes, one term) or none does. Called when a mailbox batch ends; while this leader's last round is
     * not committed they stay collected, and the Ready that the commit makes due proposes them.
     */
    void proposeWriteBatch() {
        if (writeBatch.isEmpty() || waitsForCommit()) return;
        List<ProposalBatch.Pending> writes = writeBatch.drain();
        if (raft.state() != StateType.LEADER) {
            // Leadership went while the batch was collected. A follower would forward the proposal to the
            // leader, where it could still be applied after we answered NotLeader and the client retried:
            // a write applied twice. So refuse before raft sees it.
            failWrites(writes);
            return;
        }
        long first = raft.lastIndex() + 1;
        List<ByteString> data = new ArrayList<>(writes.size());
        for (ProposalBatch.Pending w : writes) data.add(w.data());
        try {
            raft.propose(data);
        } catch (ProposalDroppedException e) {
            failWrites(writes);
            return;
        }
        if (raft.lastIndex() != first + writes.size() - 1) {
            failWrites(writes);
            return;
        }
        long term = raft.term();
        for (int i = 0; i < writes.size(); i++) {
            ProposalBatch.Pending w = writes.get(i);
            proposed.add(new Proposal(first + i, term, w.replyTo(), w.uuid(), w.deadlineNanos()));
        }
    }

    /**
     * Whether collected writes wait for the leader's round in flight to commit. Only a leader holds: a peer
     * that lost leadership refuses them at once (NotLeader), which is safe since they never entered the log.
     */
    private boolean waitsForCommit() {
        return holdWritesUntilCommit && raft.state() == StateType.LEADER && raft.committed() < raft.lastIndex();
    }

    /** Writes raft did not take: nothing was appended, so NotLeader is the truth and safe to retry. */
    private void failWrites(List<ProposalBatch.Pending> writes) {
        for (ProposalBatch.Pending w : writes) {
            reply(w.replyTo(), w.uuid(), notLeader.get());
        }
    }

    private static WriteBatch batchOf(RaftCmdRequest req) {
        WriteBatch wb = new WriteBatch();
        WriteCommands.addTo(req, wb);
        return wb;
    }

    /** {@code region} is the peer's region as applied now, which the command's epoch is checked against. */
    void proposeAdmin(RaftCmdRequest req, Region region, ActorRef<CommandReply> replyTo, long deadline) {
        ByteString uuid = req.getHeader().getUuid();
        AdminRequest admin = req.getAdminRequest();
        switch (admin.getCmdType()) {
            case TransferLeader -> {
                io.regionkv.proto.Metapb.Peer to = admin.getTransferLeader().getPeer();
                if (!isVoter(region, to.getId())) {
                    // Raft would silently ignore it; say why, with the membership a stale caller should use.
                    reply(replyTo, uuid, req.getHeader().getRegionEpoch().getConfVer() < region.getRegionEpoch().getConfVer()
                            ? RegionErrors.epochNotMatch("membership changed", List.of(region))
                            : RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "peer " + to.getId() + " is not a voter of region " + region.getId()));
                    return;
                }
                // Like TiKV: not a log entry; answered at once, the client watches the leader move.
                raft.transferLeader(to.getId());
                replyTo.tell(CommandReply.of(RaftCmdResponse.newBuilder()
                        .setHeader(RaftResponseHeader.newBuilder().setUuid(uuid))
                        .setAdminResponse(AdminResponse.newBuilder().setCmdType(AdminCmdType.TransferLeader)
                                .setTransferLeader(TransferLeaderResponse.getDefaultInstance())).build()));
            }
            case ChangePeer -> {
                if (req.getHeader().hasRegionEpoch() && req.getHeader().getRegionEpoch().getConfVer()
                        != region.getRegionEpoch().getConfVer()) {
                    reply(replyTo, uuid, RegionErrors.epochNotMatch("membership changed", List.of(region)));
                    return;
                }
                ConfChangeCheck.Decision d = ConfChangeCheck.decide(region, raft.id(),
                        admin.getChangePeer().getChangeType(), admin.getChangePeer().getPeer(),
                        raft.status().progress(), raft.hasPendingConfChange());
                if (d instanceof ConfChangeCheck.Refuse r) {
                    reply(replyTo, uuid, r.error());
                } else if (d instanceof ConfChangeCheck.TransferFirst t) {
                    // Removing the leader: lead elsewhere first. NotLeader naming the transferee makes the
                    // caller retry there, and that leader removes this peer like any other.
                    raft.transferLeader(t.transferee().getId());
                    reply(replyTo, uuid, RegionErrors.notLeader(region.getId(), t.transferee()));
                } else if (d instanceof ConfChangeCheck.Propose p) {
                    // The log carries the change as decided (a new voter becomes a learner), so that every
                    // replica applies the same thing.
                    RaftCmdRequest decided = req.toBuilder().setAdminRequest(admin.toBuilder().setChangePeer(
                            admin.getChangePeer().toBuilder().setChangeType(p.type()).setPeer(p.peer()))).build();
                    ConfChange cc = ConfChange.newBuilder().setChangeType(p.type()).setNodeId(p.peer().getId())
                            .setContext(decided.toByteString()).build();
                    propose(cc.toByteString(), true, replyTo, uuid, deadline);
                }
            }
            case CompactLog -> propose(req.toByteString(), false, replyTo, uuid, deadline);
            case Split -> {
                String problem = SplitChecks.problem(region, admin.getSplit());
                if (req.getHeader().hasRegionEpoch() && !req.getHeader().getRegionEpoch().equals(region.getRegionEpoch())) {
                    // Before the id count: a caller that saw an older membership counted other peers.
                    reply(replyTo, uuid, RegionErrors.epochNotMatch("region changed", List.of(region)));
                } else if (problem != null) {
                    reply(replyTo, uuid, RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, problem));
                } else if (propose(req.toByteString(), false, replyTo, uuid, deadline)) {
                    // The new region's peers on the other stores come into being when those apply the split,
                    // and it can elect a leader only then: a lazily broadcast commit would leave its first
                    // campaign unanswered until a heartbeat, and the region without a leader for an
                    // election timeout.
                    raft.broadcastCommitOf(raft.lastIndex());
                }
            }
            default -> reply(replyTo, uuid, RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "admin command " + admin.getCmdType()
                    + " is not supported by this store"));
        }
    }

    private static boolean isVoter(Region region, long peerId) {
        for (io.regionkv.proto.Metapb.Peer p : region.getPeersList()) {
            if (p.getId() == peerId) return p.getRole() == io.regionkv.proto.Metapb.PeerRole.Voter;
        }
        return false;
    }

    /** Proposes one entry; answers whether raft took it (if not, the caller was answered). */
    private boolean propose(ByteString data, boolean confChange, ActorRef<CommandReply> replyTo, ByteString uuid,
            long deadline) {
        long expectedIndex = raft.lastIndex() + 1;
        try {
            if (confChange) {
                raft.proposeConfChange(ConfChange.parseFrom(data));
            } else {
                raft.propose(data);
            }
        } catch (ProposalDroppedException e) {
            reply(replyTo, uuid, notLeader.get());
            return false;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        if (raft.lastIndex() != expectedIndex) {
            reply(replyTo, uuid, notLeader.get());
            return false;
        }
        proposed.add(new Proposal(expectedIndex, raft.term(), replyTo, uuid, deadline));
        return true;
    }

    /** Answers the proposals whose entries {@code batch} applied (and those they overtook), together. */
    void onApplied(ApplyBatch batch) {
        ReplyBatch answers = new ReplyBatch(replies);
        for (ApplyBatch.Result r : batch.results()) {
            RaftCmdResponse response = r.response() != null ? r.response() : RaftCmdResponse.getDefaultInstance();
            proposed.onApplied(r.index(), r.term(), response, answers);
        }
        answers.send();
    }

    /** See {@link Proposals#onSnapshotInstalled}. */
    void onSnapshotInstalled(long snapshotIndex) {
        proposed.onSnapshotInstalled(snapshotIndex);
    }

    /** Whether proposals raft took wait for their entries to be applied (an apply may answer some). */
    boolean awaitApply() {
        return proposed.size() > 0;
    }

    /** Writes held and not answered yet: collected for the next proposal, or proposed and not applied. */
    int pending() {
        return writeBatch.size() + proposed.size();
    }

    void expire(long nowNanos) {
        proposed.expire(nowNanos);
        // Held past its deadline behind a round that does not commit: never in the log, so not applied.
        for (ProposalBatch.Pending w : writeBatch.drainExpired(nowNanos)) {
            reply(w.replyTo(), w.uuid(), RegionErrors.serverIsBusy("held behind an uncommitted raft round until"
                    + " its deadline; not applied"));
        }
    }

    /**
     * The peer is going away. Writes not yet proposed get NotLeader (nothing was appended); proposals in
     * the log get {@code outcomeUnknown}, since they may still be committed elsewhere.
     */
    void failAll(Errorpb.Error outcomeUnknown) {
        failWrites(writeBatch.drain());
        proposed.failAll(outcomeUnknown);
    }

    /** Every refusal goes through here: raft did not take the command. */
    private void reply(ActorRef<CommandReply> to, ByteString uuid, Errorpb.Error error) {
        metrics.proposals(StoreMetrics.ProposalOutcome.REFUSED, 1);
        to.tell(CommandReply.of(RegionErrors.response(uuid, error)));
    }
}
