package io.regionkv.raft;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The public face of one raft node, driven by a single thread (a peer actor). Feed it with
 * {@link #tick()}, {@link #step(Message)} and proposals; then take a {@link Ready}, act on it, and call
 * {@link #advance(Ready)}. Only one Ready is in flight at a time: messages and proposals may be stepped
 * while it is being persisted, and the next Ready carries what piled up.
 *
 * <p>Not thread-safe.
 */
public final class RawNode {
    final Raft raft;
    private long prevLead;
    private StateType prevState;
    private HardState prevHardState;
    private Ready inFlight;

    public RawNode(Config config) {
        this.raft = new Raft(config);
        this.prevLead = raft.lead;
        this.prevState = raft.state;
        this.prevHardState = raft.hardState();
    }

    public long id() {
        return raft.id;
    }

    /** The current term. A proposal made now is tagged with it. */
    public long term() {
        return raft.term;
    }

    /** Index of the last entry in the log, persisted or not: where a proposal just accepted sits. */
    public long lastIndex() {
        return raft.raftLog.lastIndex();
    }

    /** The highest index known committed (replicated on a quorum); at most {@link #lastIndex()}. */
    public long committed() {
        return raft.raftLog.committed;
    }

    /** The leader this node knows of, or 0. */
    public long leader() {
        return raft.lead;
    }

    public StateType state() {
        return raft.state;
    }

    /** Advances the logical clock by one tick (elections, heartbeats, check-quorum, transfer timeout). */
    /**
     * See {@code Raft.fenceVotesBelow}: the node lost its log, which ended at ({@code index}, {@code term});
     * until its log reaches that index it votes as if it still had it and does not campaign.
     */
    public void fenceVotesBelow(long index, long term) {
        raft.fenceVotesBelow(index, term);
    }

    public void tick() {
        raft.tick();
    }

    /**
     * The node's clock stood still (a hibernated region) and runs again: count the election timeout
     * from now. A leader's check-quorum then judges only the followers' answers since the wake, and a
     * follower campaigns no sooner than a full election timeout after it (the others' leases still hold).
     */
    public void restartClock() {
        raft.electionElapsed = 0;
    }

    /** Whether a leadership transfer is running (proposals are refused until it ends). */
    public boolean transferring() {
        return raft.leadTransferee != 0;
    }

    /** Starts an election now (a pre-vote first when enabled). */
    public void campaign() {
        raft.step(local(MessageType.MsgHup).build());
    }

    /**
     * Proposes one normal entry.
     *
     * @throws ProposalDroppedException if there is no leader, a transfer is in progress, or this node was removed
     */
    public void propose(ByteString data) {
        Entry e = Entry.newBuilder().setData(data).build();
        raft.step(local(MessageType.MsgPropose).addEntries(e).build());
    }

    /** Proposes several normal entries in one message (cheaper than one call each). */
    public void propose(List<ByteString> data) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("nothing to propose");
        }
        Message.Builder b = local(MessageType.MsgPropose);
        for (ByteString d : data) {
            b.addEntries(Entry.newBuilder().setData(d));
        }
        raft.step(b.build());
    }

    /**
     * Proposes a membership change. If another change is still pending (not applied), this one is
     * committed as an empty normal entry instead, and has no effect.
     */
    public void proposeConfChange(ConfChange cc) {
        Entry e = Entry.newBuilder().setEntryType(EntryType.EntryConfChange).setData(cc.toByteString()).build();
        raft.step(local(MessageType.MsgPropose).addEntries(e).build());
    }

    /**
     * Whether a membership change is in the log but not yet applied. While it is, raft would turn another
     * conf-change proposal into an empty entry, so a caller refuses the second change instead.
     */
    public boolean hasPendingConfChange() {
        return raft.pendingConfIndex > raft.raftLog.applied;
    }

    /** Applies a committed membership change (call it when applying its entry); returns the new membership. */
    public ConfState applyConfChange(ConfChange cc) {
        return raft.applyConfChange(cc);
    }

    /**
     * Steps a message received from a peer. Responses from peers that are not members are dropped.
     *
     * @throws IllegalArgumentException for a local-only message type or a message addressed to another node
     * @throws ProposalDroppedException for a forwarded proposal or read that cannot be served
     */
    public void step(Message m) {
        MessageType t = m.getMsgType();
        if (isLocalOnly(t)) {
            throw new IllegalArgumentException("message type " + t + " is local and cannot come from the network");
        }
        if (m.getTo() != raft.id) {
            throw new IllegalArgumentException("message for node " + m.getTo() + " stepped into node " + raft.id);
        }
        if (isResponse(t) && raft.tracker.get(m.getFrom()) == null) {
            return;
        }
        raft.step(m);
    }

    private static boolean isLocalOnly(MessageType t) {
        return t == MessageType.MsgHup || t == MessageType.MsgBeat || t == MessageType.MsgUnreachable
                || t == MessageType.MsgSnapStatus || t == MessageType.MsgCheckQuorum
                || t == MessageType.UNRECOGNIZED;
    }

    private static boolean isResponse(MessageType t) {
        return t == MessageType.MsgAppendResponse || t == MessageType.MsgRequestVoteResponse
                || t == MessageType.MsgHeartbeatResponse || t == MessageType.MsgRequestPreVoteResponse
                || t == MessageType.MsgReadIndexResp;
    }

    /** Whether {@link #ready()} has something to do. False while a Ready is in flight. */
    public boolean hasReady() {
        if (inFlight != null) {
            return false;
        }
        Raft r = raft;
        RaftLog log = r.raftLog;
        return r.lead != prevLead
                || r.state != prevState
                || r.term != prevHardState.getTerm()
                || r.vote != prevHardState.getVote()
                || log.committed != prevHardState.getCommit()
                || log.hasPendingSnapshot()
                || log.hasUnstableEntries()
                || log.hasNextCommittedEnts()
                || !r.msgs.isEmpty()
                || !r.msgsAfterAppend.isEmpty()
                || !r.readStates.isEmpty();
    }

    /**
     * Takes what is to be done now. Must be followed by {@link #advance(Ready)} before the next call.
     *
     * @throws IllegalStateException if the previous Ready was not advanced
     */
    public Ready ready() {
        if (inFlight != null) {
            throw new IllegalStateException("the previous Ready has not been advanced");
        }
        Raft r = raft;
        RaftLog log = r.raftLog;
        SoftState soft = null;
        if (r.lead != prevLead || r.state != prevState) {
            soft = new SoftState(r.lead, r.state);
            prevLead = r.lead;
            prevState = r.state;
        }
        HardState hard = null;
        if (r.term != prevHardState.getTerm() || r.vote != prevHardState.getVote()
                || log.committed != prevHardState.getCommit()) {
            hard = r.hardState();
            prevHardState = hard;
        }
        List<Entry> entries = log.hasUnstableEntries() ? List.copyOf(log.unstableEntries()) : List.of();
        Snapshot snapshot = log.unstable.snapshot;
        List<Entry> committed = log.nextCommittedEnts();
        if (!committed.isEmpty()) {
            log.acceptApplying(committed.get(committed.size() - 1).getIndex());
        }
        if (snapshot != null) {
            log.acceptApplying(snapshot.getMetadata().getIndex());
        }
        List<ReadState> readStates = drain(r.readStates);
        List<Message> messages = drain(r.msgs);
        List<Message> persisted = drain(r.msgsAfterAppend);
        Ready rd = new Ready(soft, hard, readStates, entries, snapshot, committed, messages, persisted);
        inFlight = rd;
        return rd;
    }

    private static <T> List<T> drain(List<T> list) {
        if (list.isEmpty()) {
            return List.of();
        }
        List<T> out = List.copyOf(list);
        list.clear();
        return out;
    }

    /**
     * Confirms that the Ready's snapshot, entries and hard state are persisted and its messages sent.
     * Its committed entries now count as being applied; report the end of applying with
     * {@link #advanceApply(long)}.
     *
     * @throws IllegalArgumentException if {@code rd} is not the Ready in flight
     */
    public void advance(Ready rd) {
        if (rd == null || rd != inFlight) {
            throw new IllegalArgumentException("advance() must be given the Ready returned by the last ready()");
        }
        inFlight = null;
        List<Entry> ents = rd.entries();
        raft.onPersisted(rd.snapshot(), ents.isEmpty() ? null : ents.get(ents.size() - 1));
    }

    /**
     * The state machine has applied everything up to {@code appliedIndex} (entries or a snapshot). Conf
     * change admission and log compaction decisions use this index.
     *
     * @throws IllegalArgumentException if the index goes backwards or beyond the commit index
     */
    public void advanceApply(long appliedIndex) {
        raft.raftLog.appliedTo(appliedIndex);
    }

    /**
     * With {@link Config#lazyCommitBroadcast()}, the commit of the entry at {@code index} (and of those
     * before it) is sent to the followers at once, as without the option: for an entry whose apply on the
     * followers others wait for, such as a split, whose new region can elect its leader only once a quorum
     * of its stores has applied the split. Ends once the entry is applied.
     */
    public void broadcastCommitOf(long index) {
        raft.broadcastCommitOf(index);
    }

    /** Asks the leader to hand leadership to {@code transferee} (works on followers too, by forwarding). */
    public void transferLeader(long transferee) {
        raft.step(Message.newBuilder().setMsgType(MessageType.MsgTransferLeader).setFrom(transferee)
                .setTo(raft.id).build());
    }

    /**
     * Requests a linearizable read. The answer comes as a {@link ReadState} with the same context in a
     * later Ready; serve the read once applied up to its index.
     *
     * @throws ProposalDroppedException if no leader is known
     */
    public void readIndex(byte[] ctx) {
        Entry e = Entry.newBuilder().setData(ByteString.copyFrom(ctx)).build();
        raft.step(Message.newBuilder().setMsgType(MessageType.MsgReadIndex).addEntries(e).build());
    }

    /** The transport could not deliver to {@code id}: the leader stops streaming to it and probes. */
    public void reportUnreachable(long id) {
        raft.step(Message.newBuilder().setMsgType(MessageType.MsgUnreachable).setFrom(id).setTo(raft.id).build());
    }

    /** Outcome of sending a snapshot to {@code id}. */
    public void reportSnapshot(long id, SnapshotStatus status) {
        raft.step(Message.newBuilder().setMsgType(MessageType.MsgSnapStatus).setFrom(id).setTo(raft.id)
                .setReject(status == SnapshotStatus.FAILURE).build());
    }

    public Status status() {
        Map<Long, ProgressStatus> progress = new HashMap<>();
        if (raft.state == StateType.LEADER) {
            for (Progress pr : raft.tracker.all()) {
                progress.put(pr.id, pr.toStatus());
            }
        }
        return new Status(raft.id, raft.hardState(), raft.softState(), raft.raftLog.applied, progress);
    }

    private Message.Builder local(MessageType type) {
        return Message.newBuilder().setMsgType(type).setFrom(raft.id).setTo(raft.id);
    }
}
