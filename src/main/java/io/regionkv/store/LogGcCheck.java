package io.regionkv.store;

import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.CompactLogRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.raft.ProgressStatus;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.StateType;

/**
 * Raft-log GC (DESIGN.md), the proposing half: every few ticks the leader proposes {@code CompactLog} once
 * enough applied entries pile up. Applying it moves the truncated state, and the peer then deletes the
 * entries through the raft-log writer ({@link RaftLogGc}). Runs on the peer's thread.
 */
final class LogGcCheck {

    private final RawNode raft;
    private final PeerStorage storage;
    private final long selfId;
    private final StoreSettings settings;
    private int ticksSinceCheck;

    LogGcCheck(RawNode raft, PeerStorage storage, long selfId, StoreSettings settings) {
        this.raft = raft;
        this.storage = storage;
        this.selfId = selfId;
        this.settings = settings;
    }

    /** One raft tick went by; every {@code logGcTickInterval} ticks the log is checked. */
    void onTick(long appliedIndex) {
        if (++ticksSinceCheck >= settings.logGcTickInterval()) {
            ticksSinceCheck = 0;
            maybeCompactLog(appliedIndex);
        }
    }

    /**
     * Keeps what every follower the leader heard from lately still needs, since a follower that needs a
     * compacted entry costs a whole snapshot; a follower that is down or cut off does not hold the log
     * back, and gets a snapshot when it returns.
     */
    private void maybeCompactLog(long appliedIndex) {
        if (raft.state() != StateType.LEADER) return;
        long first = storage.firstIndex();
        if (appliedIndex - first + 1 < settings.logGcCountLimit()) return;
        long compactTo = appliedIndex;
        for (var e : raft.status().progress().entrySet()) {
            ProgressStatus p = e.getValue();
            if (e.getKey() == selfId || p.recentActive()) {
                compactTo = Math.min(compactTo, p.match());
            }
        }
        if (compactTo < first) return;
        long term = storage.term(compactTo);
        RaftCmdRequest req = RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(storage.regionId()))
                .setAdminRequest(AdminRequest.newBuilder().setCmdType(AdminCmdType.CompactLog)
                        .setCompactLog(CompactLogRequest.newBuilder().setCompactIndex(compactTo).setCompactTerm(term)))
                .build();
        try {
            raft.propose(req.toByteString());
        } catch (ProposalDroppedException ignored) {
            // not leader any more, or a transfer is running: the next check retries
        }
    }
}
