package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Engine;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.ReadState;
import io.regionkv.store.apply.CommandKeys;
import io.regionkv.store.apply.ReadCommands;
import io.regionkv.store.apply.ReplyBatch;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.ReplyOutbox;
import java.util.List;
import java.util.function.Supplier;

/**
 * A peer's read path (DESIGN.md, "Read"): a linearizable read asks raft for a read index, waits in
 * {@link PendingReads} until the peer has applied up to it, and is then served from one LMDB read view.
 * Runs on the peer's thread; the peer says when a batch ends, when read states arrive and what is applied.
 */
final class PeerReads {

    private final PendingReads pending;
    private final RawNode raft;
    private final Engine kv;
    /** The NotLeader error naming the leader as this peer knows it now. */
    private final Supplier<Errorpb.Error> notLeader;
    private final ReplyOutbox replies;

    PeerReads(long peerId, RawNode raft, Engine kv, Supplier<Errorpb.Error> notLeader, ReplyOutbox replies) {
        this.replies = replies;
        this.pending = new PendingReads(peerId);
        this.raft = raft;
        this.kv = kv;
        this.notLeader = notLeader;
    }

    void start(PendingReads.Read read) {
        byte[] ctxBytes = pending.add(read);
        if (ctxBytes == null) {
            return; // joined the batch whose ReadIndex request is already in raft
        }
        try {
            raft.readIndex(ctxBytes);
        } catch (ProposalDroppedException e) {
            for (PendingReads.Read r : pending.dropOpenBatch()) {
                r.replyTo().tell(CommandReply.of(RegionErrors.response(r.request().getHeader().getUuid(),
                        notLeader.get())));
            }
        }
    }

    /** The mailbox batch ended: the next read asks for a new read index. */
    void closeBatch() {
        pending.closeBatch();
    }

    void onReadState(ReadState rs) {
        pending.onReadState(rs);
    }

    /** Serves, from one read view, every read whose index is applied; their answers go out together. */
    void serve(long appliedIndex, Region region) {
        List<PendingReads.Read> servable = pending.servable(appliedIndex);
        if (servable.isEmpty()) {
            return;
        }
        ReplyBatch answers = new ReplyBatch(replies);
        try (ReadView view = kv.readView()) {
            serve(servable, region, view, answers);
        }
        answers.send();
    }

    /** Answers each read from {@code view}; package-private for the test of the epoch rule below. */
    static void serve(List<PendingReads.Read> servable, Region region, ReadView view, ReplyBatch answers) {
        for (PendingReads.Read read : servable) {
            // A split applied while the read waited may have moved its key to another region, whose
            // writes this peer's read index does not cover. For a scan the start key may still be
            // inside while the region now ends before the end the client asked for (from its older view
            // of the region): the answer would stop at the new end, and the client, continuing at the end
            // it knows, would skip the keys between and take them for absent. So a read whose epoch
            // version no longer matches is refused as on arrival, and the client reads again with the
            // regions it is given.
            RaftCmdRequest req = read.request();
            if (req.getHeader().hasRegionEpoch()
                    && req.getHeader().getRegionEpoch().getVersion() != region.getRegionEpoch().getVersion()) {
                answers.add(read.replyTo(), RegionErrors.response(req.getHeader().getUuid(),
                        RegionErrors.epochNotMatch("region " + region.getId() + " changed from version "
                                + req.getHeader().getRegionEpoch().getVersion() + " to "
                                + region.getRegionEpoch().getVersion() + " while the read waited", List.of(region))));
                continue;
            }
            ByteString outside = CommandKeys.keyOutside(req, region);
            if (outside != null) {
                answers.add(read.replyTo(), RegionErrors.response(read.request().getHeader().getUuid(),
                        RegionErrors.keyNotInRegion(outside, region)));
            } else {
                answers.add(read.replyTo(), ReadCommands.execute(read.request(), region, view));
            }
        }
    }

    /** Reads held and not answered yet. */
    int pending() {
        return pending.size();
    }

    void expire(long nowNanos) {
        pending.expire(nowNanos);
    }

    /** Leadership was lost: see {@link PendingReads#failAwaitingIndex}. */
    void failAwaitingIndex(Errorpb.Error error) {
        pending.failAwaitingIndex(error);
    }

    void failAll(Errorpb.Error error) {
        pending.failAll(error);
    }
}
