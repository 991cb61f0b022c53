package io.regionkv.store.apply;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.AdminResponse;
import io.regionkv.proto.RaftCmdpb.ChangePeerResponse;
import io.regionkv.proto.RaftCmdpb.CompactLogRequest;
import io.regionkv.proto.RaftCmdpb.CompactLogResponse;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.SplitRequest;
import io.regionkv.proto.RaftCmdpb.SplitResponse;
import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RaftTruncatedState;
import io.regionkv.store.Bootstrap;
import io.regionkv.store.CommandValidator;
import io.regionkv.store.Meta;
import io.regionkv.store.RegionErrors;
import io.regionkv.store.SplitChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns committed entries into an {@link ApplyBatch}: the state machine of a region. It runs on the peer's
 * thread and only builds the batch; the kv writer makes it durable. The region and apply state it keeps
 * run ahead of the disk by the batches in flight, which is what the next batch must build on.
 */
public final class Applier {

    private final long regionId;
    private final long selfPeerId;
    /** Applies a membership change to the raft node; answers nothing we need. */
    private final Function<ConfChange, ?> raftConfChange;
    private Region region;
    private RaftApplyState applyState;

    public Applier(Region region, long selfPeerId, RaftApplyState applyState, Function<ConfChange, ?> raftConfChange) {
        this.regionId = region.getId();
        this.selfPeerId = selfPeerId;
        this.region = region;
        this.applyState = applyState;
        this.raftConfChange = raftConfChange;
    }

    public Region region() {
        return region;
    }

    /** A snapshot replaced the region's data and states: apply on from there. */
    public void reset(Region snapshotRegion, RaftApplyState snapshotApplyState) {
        this.region = snapshotRegion;
        this.applyState = snapshotApplyState;
    }

    public ApplyBatch apply(List<Entry> committed) {
        WriteBatch kv = new WriteBatch();
        List<ApplyBatch.Result> results = new ArrayList<>(committed.size());
        long gcEnd = 0;
        boolean removedSelf = false;
        Region regionBefore = region;
        List<Region> newRegions = new ArrayList<>();
        for (Entry e : committed) {
            if (e.getIndex() <= applyState.getAppliedIndex()) {
                continue; // replayed after a restart that raced an apply; already in the kv env
            }
            RaftCmdResponse response;
            if (e.getEntryType() == EntryType.EntryConfChange) {
                response = applyConfChange(e, kv);
                removedSelf |= !containsPeer(region, selfPeerId);
            } else if (e.getData().isEmpty()) {
                response = null; // a new leader's empty entry
            } else {
                RaftCmdRequest cmd = parse(e);
                if (cmd.hasAdminRequest()) {
                    long before = applyState.getTruncatedState().getIndex();
                    response = applyAdmin(cmd, kv, newRegions);
                    if (applyState.getTruncatedState().getIndex() > before) {
                        gcEnd = applyState.getTruncatedState().getIndex() + 1;
                    }
                } else {
                    response = applyWrites(cmd, kv);
                }
            }
            applyState = applyState.toBuilder().setAppliedIndex(e.getIndex()).build();
            results.add(new ApplyBatch.Result(e.getIndex(), e.getTerm(), response));
        }
        if (region != regionBefore) {
            Meta.putRegionState(kv, region, removedSelf ? PeerState.Tombstone : PeerState.Normal);
        }
        Meta.putApplyState(kv, regionId, applyState);
        return new ApplyBatch(kv, applyState, results, gcEnd, removedSelf, List.copyOf(newRegions));
    }

    private RaftCmdResponse applyWrites(RaftCmdRequest cmd, WriteBatch kv) {
        RegionEpoch epoch = cmd.getHeader().getRegionEpoch();
        if (cmd.getHeader().hasRegionEpoch() && epoch.getVersion() != region.getRegionEpoch().getVersion()) {
            return RegionErrors.response(cmd.getHeader().getUuid(),
                    RegionErrors.epochNotMatch("region " + regionId + " changed its range since the proposal",
                            List.of(region)));
        }
        // Refused alike on every replica (the check is deterministic), where a throw would stop each peer.
        Errorpb.Error problem = CommandValidator.requestsProblem(cmd, Integer.MAX_VALUE);
        if (problem == null && WriteCommands.kindOf(cmd) != WriteCommands.Kind.WRITE) {
            problem = RegionErrors.invalid(Errorpb.Invalid.Reason.MALFORMED_COMMAND, "not a write command");
        }
        if (problem != null) {
            return RegionErrors.response(cmd.getHeader().getUuid(), problem);
        }
        for (Request r : cmd.getRequestsList()) {
            var key = r.hasPut() ? r.getPut().getKey() : r.getDelete().getKey();
            if (!KeyRanges.inRange(key, region.getStartKey(), region.getEndKey())) {
                return RegionErrors.response(cmd.getHeader().getUuid(), RegionErrors.keyNotInRegion(key, region));
            }
        }
        RaftCmdResponse.Builder out = RaftCmdResponse.newBuilder().setHeader(RaftResponseHeader.getDefaultInstance());
        out.addAllResponses(WriteCommands.addTo(cmd, kv));
        return out.build();
    }

    private RaftCmdResponse applyAdmin(RaftCmdRequest cmd, WriteBatch kv, List<Region> newRegions) {
        AdminRequest admin = cmd.getAdminRequest();
        if (admin.getCmdType() == AdminCmdType.Split) {
            return applySplit(cmd, kv, newRegions);
        }
        if (admin.getCmdType() == AdminCmdType.CompactLog) {
            CompactLogRequest c = admin.getCompactLog();
            if (c.getCompactIndex() > applyState.getTruncatedState().getIndex()
                    && c.getCompactIndex() <= applyState.getAppliedIndex()) {
                applyState = applyState.toBuilder().setTruncatedState(RaftTruncatedState.newBuilder()
                        .setIndex(c.getCompactIndex()).setTerm(c.getCompactTerm())).build();
            }
            return adminResponse(AdminResponse.newBuilder().setCmdType(AdminCmdType.CompactLog)
                    .setCompactLog(CompactLogResponse.getDefaultInstance()));
        }
        return RegionErrors.response(cmd.getHeader().getUuid(),
                RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, "admin command " + admin.getCmdType() + " cannot be applied through the log"));
    }

    /**
     * Split (DESIGN.md, "Split"): this region keeps {@code [start, splitKey)}, a new region gets
     * {@code [splitKey, end)} with one new peer on each store of this region; both versions are bumped.
     * The new region's states go into this same kv batch, so the split is atomic on this store.
     */
    private RaftCmdResponse applySplit(RaftCmdRequest cmd, WriteBatch kv, List<Region> newRegions) {
        ByteString uuid = cmd.getHeader().getUuid();
        if (cmd.getHeader().hasRegionEpoch()
                && cmd.getHeader().getRegionEpoch().getVersion() != region.getRegionEpoch().getVersion()) {
            return RegionErrors.response(uuid, RegionErrors.epochNotMatch(
                    "region " + regionId + " changed since the split was proposed", List.of(region)));
        }
        SplitRequest split = cmd.getAdminRequest().getSplit();
        String problem = SplitChecks.problem(region, split);
        if (problem != null) {
            return RegionErrors.response(uuid, RegionErrors.invalid(Errorpb.Invalid.Reason.UNSUPPORTED, problem));
        }
        RegionEpoch bumped = region.getRegionEpoch().toBuilder().setVersion(region.getRegionEpoch().getVersion() + 1).build();
        Region.Builder right = Region.newBuilder().setId(split.getNewRegionId()).setStartKey(split.getSplitKey())
                .setEndKey(region.getEndKey()).setRegionEpoch(bumped);
        for (int i = 0; i < region.getPeersCount(); i++) {
            Peer p = region.getPeers(i);
            right.addPeers(p.toBuilder().setId(split.getNewPeerIds(i)));
        }
        Region newRegion = right.build();
        region = region.toBuilder().setEndKey(split.getSplitKey()).setRegionEpoch(bumped).build();
        Bootstrap.initialKvState(newRegion, kv);
        newRegions.add(newRegion);
        return adminResponse(AdminResponse.newBuilder().setCmdType(AdminCmdType.Split)
                .setSplit(SplitResponse.newBuilder().addRegions(region).addRegions(newRegion)));
    }

    private RaftCmdResponse applyConfChange(Entry e, WriteBatch kv) {
        ConfChange cc;
        RaftCmdRequest cmd;
        try {
            cc = ConfChange.parseFrom(e.getData());
            cmd = RaftCmdRequest.parseFrom(cc.getContext());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("region " + regionId + ": undecodable conf change at " + e.getIndex(), ex);
        }
        RegionEpoch epoch = cmd.getHeader().getRegionEpoch();
        if (cmd.getHeader().hasRegionEpoch() && epoch.getConfVer() != region.getRegionEpoch().getConfVer()) {
            return RegionErrors.response(cmd.getHeader().getUuid(),
                    RegionErrors.epochNotMatch("membership of region " + regionId + " changed since the proposal",
                            List.of(region)));
        }
        Peer peer = cmd.getAdminRequest().getChangePeer().getPeer();
        Region.Builder next = region.toBuilder().clearPeers();
        boolean found = false;
        for (Peer p : region.getPeersList()) {
            if (p.getId() == peer.getId()) {
                found = true;
                if (cc.getChangeType() == ConfChangeType.RemoveNode) continue;
                next.addPeers(p.toBuilder().setRole(cc.getChangeType() == ConfChangeType.AddNode ? PeerRole.Voter : p.getRole()));
            } else {
                next.addPeers(p);
            }
        }
        if (!found && cc.getChangeType() != ConfChangeType.RemoveNode) {
            next.addPeers(peer.toBuilder()
                    .setRole(cc.getChangeType() == ConfChangeType.AddLearnerNode ? PeerRole.Learner : PeerRole.Voter));
        }
        next.setRegionEpoch(region.getRegionEpoch().toBuilder().setConfVer(region.getRegionEpoch().getConfVer() + 1));
        region = next.build();
        raftConfChange.apply(cc);
        return adminResponse(AdminResponse.newBuilder().setCmdType(AdminCmdType.ChangePeer)
                .setChangePeer(ChangePeerResponse.newBuilder().setRegion(region)));
    }

    private static RaftCmdResponse adminResponse(AdminResponse.Builder admin) {
        return RaftCmdResponse.newBuilder().setHeader(RaftResponseHeader.getDefaultInstance())
                .setAdminResponse(admin).build();
    }

    private static boolean containsPeer(Region region, long peerId) {
        for (Peer p : region.getPeersList()) {
            if (p.getId() == peerId) return true;
        }
        return false;
    }

    private RaftCmdRequest parse(Entry e) {
        try {
            return RaftCmdRequest.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            // Only commands that parsed on the leader are proposed, so this is corruption, not bad input.
            throw new IllegalStateException("region " + regionId + ": undecodable command at index " + e.getIndex(), ex);
        }
    }
}
