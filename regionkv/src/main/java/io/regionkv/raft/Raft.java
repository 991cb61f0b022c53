package io.regionkv.raft;

import static io.regionkv.proto.Eraftpb.MessageType.MsgAppend;
import static io.regionkv.proto.Eraftpb.MessageType.MsgAppendResponse;
import static io.regionkv.proto.Eraftpb.MessageType.MsgBeat;
import static io.regionkv.proto.Eraftpb.MessageType.MsgCheckQuorum;
import static io.regionkv.proto.Eraftpb.MessageType.MsgHeartbeat;
import static io.regionkv.proto.Eraftpb.MessageType.MsgHeartbeatResponse;
import static io.regionkv.proto.Eraftpb.MessageType.MsgHup;
import static io.regionkv.proto.Eraftpb.MessageType.MsgPropose;
import static io.regionkv.proto.Eraftpb.MessageType.MsgReadIndex;
import static io.regionkv.proto.Eraftpb.MessageType.MsgReadIndexResp;
import static io.regionkv.proto.Eraftpb.MessageType.MsgRequestPreVote;
import static io.regionkv.proto.Eraftpb.MessageType.MsgRequestPreVoteResponse;
import static io.regionkv.proto.Eraftpb.MessageType.MsgRequestVote;
import static io.regionkv.proto.Eraftpb.MessageType.MsgRequestVoteResponse;
import static io.regionkv.proto.Eraftpb.MessageType.MsgSnapshot;
import static io.regionkv.proto.Eraftpb.MessageType.MsgTimeoutNow;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The raft state machine of one node. Input: {@link #step} (messages, local or from peers) and
 * {@link #tick}; output: messages in {@link #msgs} / {@link #msgsAfterAppend}, log changes in
 * {@link #raftLog}, and {@link #readStates}. No I/O, threads or clocks: {@link RawNode} wraps it into the
 * Ready/advance cycle.
 *
 * <p>Durability: the leader counts itself toward a commit quorum only for entries the application
 * reported persisted ({@link #onPersisted}); messages a follower or candidate sends go to
 * {@link #msgsAfterAppend} because they promise state (votes, appended entries) that must be durable
 * first.
 */
final class Raft {
    static final long NONE = 0;
    /** Context of a vote request sent on the leader's behalf: it overrides the followers' lease. */
    static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("CampaignTransfer");

    final long id;
    long term;
    long vote;
    long lead = NONE;
    StateType state = StateType.FOLLOWER;
    boolean isLearner;
    RaftLog raftLog;
    final ProgressTracker tracker;
    /**
     * The last entry (index, term) of a log this node lost, 0 when it never lost one: see
     * {@link #fenceVotesBelow}.
     */
    private long voteFence;
    private long voteFenceTerm;

    /** Messages that may be sent at once (produced while leader). */
    final List<Message> msgs = new ArrayList<>();
    /** Messages that may only be sent after the current Ready's entries and hard state are persisted. */
    final List<Message> msgsAfterAppend = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();

    /** Target of an ongoing leadership transfer, or NONE. */
    long leadTransferee;
    /**
     * Index of the last conf change proposed by this leader; a new one is refused (turned into an empty
     * entry) until the application has applied past it, so that only one change is ever in flight.
     */
    long pendingConfIndex;
    /**
     * With {@link Config#lazyCommitBroadcast()}: the last entry whose commit is broadcast at once all the
     * same (see {@link RawNode#broadcastCommitOf}). Like {@link #pendingConfIndex}, it stops mattering once
     * applied.
     */
    private long eagerCommitIndex;
    ReadOnly readOnly;
    /** Reads that arrived before this leader committed an entry of its own term. */
    final List<Message> pendingReadIndexMessages = new ArrayList<>();

    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;
    final int electionTimeout;
    final int heartbeatTimeout;
    final boolean checkQuorum;
    /** See {@link Config#lazyCommitBroadcast()}. */
    private final boolean lazyCommitBroadcast;
    final boolean preVote;
    final ReadOnlyOption readOnlyOption;
    final long maxMsgSize;
    final int maxInflight;
    private final long maxCommittedSizePerReady;
    private final Random random;

    Raft(Config c) {
        this.id = c.id();
        this.electionTimeout = c.electionTick();
        this.heartbeatTimeout = c.heartbeatTick();
        this.checkQuorum = c.checkQuorum();
        this.lazyCommitBroadcast = c.lazyCommitBroadcast();
        this.preVote = c.preVote();
        this.readOnlyOption = c.readOnlyOption();
        this.maxMsgSize = c.maxSizePerMsg();
        this.maxInflight = c.maxInflightMsgs();
        this.maxCommittedSizePerReady = c.maxCommittedSizePerReady();
        this.random = new Random(c.randomSeed());
        this.raftLog = new RaftLog(c.storage(), c.maxCommittedSizePerReady());
        this.tracker = new ProgressTracker(c.maxInflightMsgs());
        this.readOnly = new ReadOnly(readOnlyOption);

        InitialState initial = c.storage().initialState();
        ConfState cs = initial.confState();
        List<Long> voters;
        List<Long> learners;
        if (cs.getVotersCount() > 0 || cs.getLearnersCount() > 0) {
            voters = cs.getVotersList();
            learners = cs.getLearnersList();
        } else {
            voters = c.peers();
            learners = c.learners();
        }
        long next = raftLog.lastIndex() + 1;
        for (long v : voters) {
            if (tracker.get(v) == null) {
                tracker.add(v, 0, next, false);
            }
        }
        for (long l : learners) {
            if (tracker.get(l) != null) {
                throw new IllegalArgumentException("node " + l + " is both a voter and a learner");
            }
            tracker.add(l, 0, next, true);
        }
        Progress self = tracker.get(id);
        this.isLearner = self != null && self.isLearner;

        HardState hs = initial.hardState();
        if (hs != null && !hs.equals(HardState.getDefaultInstance())) {
            loadState(hs);
        }
        if (c.applied() > 0) {
            raftLog.appliedTo(c.applied());
        }
        becomeFollower(term, NONE);
    }

    private void loadState(HardState hs) {
        if (hs.getCommit() < raftLog.committed || hs.getCommit() > raftLog.lastIndex()) {
            throw new IllegalStateException("hard state commit " + hs.getCommit() + " is out of range ["
                    + raftLog.committed + ", " + raftLog.lastIndex() + "]");
        }
        raftLog.committed = hs.getCommit();
        term = hs.getTerm();
        vote = hs.getVote();
    }

    SoftState softState() {
        return new SoftState(lead, state);
    }

    HardState hardState() {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(raftLog.committed).build();
    }

    // ---------------------------------------------------------------- sending

    private static Message.Builder msg(MessageType type, long to) {
        return Message.newBuilder().setMsgType(type).setTo(to);
    }

    private static boolean isVoteMessage(MessageType t) {
        return t == MsgRequestVote || t == MsgRequestPreVote || t == MsgRequestVoteResponse
                || t == MsgRequestPreVoteResponse;
    }

    private void send(Message.Builder b) {
        if (b.getFrom() == NONE) {
            b.setFrom(id);
        }
        MessageType t = b.getMsgType();
        if (isVoteMessage(t)) {
            // Vote traffic carries the term it is about (a pre-vote asks for a future term).
            if (b.getTerm() == 0 && (t == MsgRequestVote || t == MsgRequestPreVote)) {
                throw new IllegalStateException("term must be set when sending " + t);
            }
        } else if (t != MsgPropose && t != MsgReadIndex) {
            // Forwarded proposals and reads keep term 0: they are local requests to the leader.
            b.setTerm(term);
        }
        Message m = b.build();
        if (state == StateType.LEADER) {
            msgs.add(m);
        } else {
            msgsAfterAppend.add(m);
        }
    }

    private Message local(MessageType type) {
        return Message.newBuilder().setMsgType(type).setFrom(id).setTo(id).build();
    }

    /** Sends an append to peer {@code to} now, even an empty one (tests use it to drive replication). */
    void sendAppend(long to) {
        Progress pr = tracker.get(to);
        if (pr == null) {
            throw new IllegalArgumentException("no progress for peer " + to);
        }
        sendAppend(pr);
    }

    /** Sends an append (or a snapshot when the entries are compacted) even if there is nothing new. */
    private void sendAppend(Progress pr) {
        maybeSendAppend(pr, true);
    }

    /**
     * Sends the next entries to {@code pr} unless flow control holds them back. With nothing new to send,
     * sends an empty append only if {@code sendIfEmpty} (to carry the commit index or probe).
     */
    private boolean maybeSendAppend(Progress pr, boolean sendIfEmpty) {
        if (pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm;
        List<Entry> ents;
        try {
            prevTerm = raftLog.term(prevIndex);
            ents = raftLog.entries(pr.next, maxMsgSize);
        } catch (CompactedException e) {
            return maybeSendSnapshot(pr);
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        send(msg(MsgAppend, pr.id)
                .setIndex(prevIndex)
                .setLogTerm(prevTerm)
                .addAllEntries(ents)
                .setCommit(raftLog.committed));
        if (!ents.isEmpty()) {
            switch (pr.state) {
                case REPLICATE -> {
                    long last = ents.get(ents.size() - 1).getIndex();
                    pr.optimisticUpdate(last);
                    pr.inflights.add(last);
                }
                case PROBE -> pr.msgAppFlowPaused = true;
                case SNAPSHOT -> throw new IllegalStateException("sending append to " + pr + " in snapshot state");
            }
        }
        return true;
    }

    private boolean maybeSendSnapshot(Progress pr) {
        // A peer that has not answered lately may be down: do not ship a snapshot into the void.
        if (!pr.recentActive) {
            return false;
        }
        Snapshot snapshot;
        try {
            snapshot = raftLog.snapshot();
        } catch (SnapshotTemporarilyUnavailableException e) {
            return false;
        }
        long index = snapshot.getMetadata().getIndex();
        if (index == 0) {
            throw new IllegalStateException("storage compacted entries but has no snapshot");
        }
        pr.becomeSnapshot(index);
        send(msg(MsgSnapshot, pr.id).setSnapshot(snapshot));
        return true;
    }

    private void sendHeartbeat(Progress pr, ByteString ctx) {
        // Never tell a follower to commit past what it is known to have: it may not have those entries.
        long commit = Math.min(pr.match, raftLog.committed);
        Message.Builder b = msg(MsgHeartbeat, pr.id).setCommit(commit);
        if (!ctx.isEmpty()) {
            b.setContext(ctx);
        }
        send(b);
    }

    /**
     * Whether a commit index that just moved is sent to every follower at once. With
     * {@link Config#lazyCommitBroadcast()} it is not: under load the next append carries it anyway, and idle
     * the next heartbeat does, so the empty appends (and their answers) that only carried it are saved
     * (with one write in flight, four of a put's ten messages). A committed conf change, and an entry the
     * caller marked ({@link #broadcastCommitOf}), still go out at once, so that the followers apply them
     * without waiting for a heartbeat.
     */
    private boolean shouldBroadcastCommit() {
        return !lazyCommitBroadcast || pendingConfIndex > raftLog.applied || eagerCommitIndex > raftLog.applied;
    }

    void broadcastCommitOf(long index) {
        eagerCommitIndex = Math.max(eagerCommitIndex, index);
    }

    private void bcastAppend() {
        for (Progress pr : tracker.all()) {
            if (pr.id != id) {
                sendAppend(pr);
            }
        }
    }

    private void bcastHeartbeat() {
        bcastHeartbeatWithCtx(readOnly.lastPendingRequestCtx());
    }

    private void bcastHeartbeatWithCtx(ByteString ctx) {
        for (Progress pr : tracker.all()) {
            if (pr.id != id) {
                sendHeartbeat(pr, ctx);
            }
        }
    }

    private void sendTimeoutNow(long to) {
        send(msg(MsgTimeoutNow, to));
    }

    // ---------------------------------------------------------------- role changes

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        abortLeaderTransfer();
        tracker.resetVotes();
        long next = raftLog.lastIndex() + 1;
        long persisted = raftLog.persistedIndex();
        for (Progress pr : tracker.all()) {
            pr.reset(next);
            if (pr.id == id) {
                pr.match = persisted;
            }
        }
        pendingConfIndex = 0;
        readOnly = new ReadOnly(readOnlyOption);
        pendingReadIndexMessages.clear();
    }

    void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    }

    void becomeFollower(long newTerm, long newLead) {
        reset(newTerm);
        lead = newLead;
        state = StateType.FOLLOWER;
    }

    void becomeCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> candidate]");
        }
        reset(term + 1);
        vote = id;
        state = StateType.CANDIDATE;
    }

    void becomePreCandidate() {
        if (state == StateType.LEADER) {
            throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
        }
        // The term and vote stay: a pre-vote promises nothing.
        tracker.resetVotes();
        lead = NONE;
        state = StateType.PRE_CANDIDATE;
    }

    void becomeLeader() {
        if (state == StateType.FOLLOWER) {
            throw new IllegalStateException("invalid transition [follower -> leader]");
        }
        reset(term);
        lead = id;
        state = StateType.LEADER;
        Progress self = tracker.get(id);
        if (self != null) {
            self.becomeReplicate();
            self.recentActive = true;
        }
        // Conservatively treat any conf change in the log as pending until it is applied.
        pendingConfIndex = raftLog.lastIndex();
        // An entry of our own term: committing it commits everything before it (raft paper 5.4.2).
        appendEntries(List.of(Entry.newBuilder().setTerm(term).setIndex(raftLog.lastIndex() + 1).build()));
    }

    private void appendEntries(List<Entry> es) {
        long last = raftLog.append(es);
        Progress self = tracker.get(id);
        if (self != null) {
            self.next = last + 1;
        }
    }

    // ---------------------------------------------------------------- persistence feedback

    /**
     * The application persisted a snapshot ({@code snapshot}, may be null) and the entries up to
     * {@code lastEntry} (may be null). A leader now counts its own copy toward the commit quorum.
     */
    void onPersisted(Snapshot snapshot, Entry lastEntry) {
        if (snapshot != null) {
            raftLog.stableSnapTo(snapshot.getMetadata().getIndex());
        }
        if (lastEntry != null) {
            raftLog.stableTo(lastEntry.getIndex(), lastEntry.getTerm());
        }
        if (state == StateType.LEADER) {
            Progress self = tracker.get(id);
            if (self != null && self.maybeUpdate(raftLog.persistedIndex()) && maybeCommit()) {
                releasePendingReadIndexMessages();
                if (shouldBroadcastCommit()) bcastAppend();
            }
        }
    }

    // ---------------------------------------------------------------- ticks

    void tick() {
        if (state == StateType.LEADER) {
            tickHeartbeat();
        } else {
            tickElection();
        }
    }

    private void tickElection() {
        electionElapsed++;
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            step(local(MsgHup));
        }
    }

    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) {
                step(local(MsgCheckQuorum));
            }
            // A transfer that did not finish within an election timeout has failed: accept proposals again.
            if (state == StateType.LEADER && leadTransferee != NONE) {
                abortLeaderTransfer();
            }
        }
        if (state != StateType.LEADER) {
            return;
        }
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(local(MsgBeat));
        }
    }

    /** Whether this node may campaign: a voter that is not waiting to apply a snapshot, nor fenced. */
    boolean promotable() {
        Progress self = tracker.get(id);
        return self != null && !self.isLearner && !raftLog.hasPendingSnapshot() && !votesFenced();
    }

    /**
     * The node lost its log, whose last entry was ({@code index}, {@code term}) (its store discarded it with
     * its data after an OS crash). Entries it acknowledged may have been committed thanks to it, so until
     * its log reaches {@code index} again it votes only for a candidate at least as up to date as the lost
     * log, exactly as it would have with the log kept, and it does not campaign (it has no data to lead
     * with). While its log is empty it asks the leader for a snapshot with every heartbeat or append
     * (raft-rs's request-snapshot), since the leader's record of what it matched is no longer true.
     */
    void fenceVotesBelow(long index, long term) {
        voteFence = index;
        voteFenceTerm = term;
    }

    /** A candidate's log against the lost one (see fenceVotesBelow); always true when not fenced. */
    private boolean upToDateWithLostLog(long lastIndex, long lastTerm) {
        if (!votesFenced()) return true;
        return lastTerm > voteFenceTerm || (lastTerm == voteFenceTerm && lastIndex >= voteFence);
    }

    boolean votesFenced() {
        return raftLog.lastIndex() < voteFence;
    }

    /** The node lost its log (a vote fence is set) and holds nothing yet, not even a snapshot. */
    private boolean needsSnapshot() {
        return voteFence > 0 && raftLog.lastIndex() == 0 && !raftLog.hasPendingSnapshot();
    }

    /** Asks {@code leader} for a snapshot instead of letting it probe an empty log it believes matched. */
    private void requestSnapshot(long leader) {
        send(msg(MsgAppendResponse, leader).setReject(true).setRequestSnapshot(true));
    }

    private void maybeRequestSnapshot(long leader) {
        if (needsSnapshot()) requestSnapshot(leader);
    }

    // ---------------------------------------------------------------- step

    /**
     * Handles one message. Proposals and reads that cannot be served throw
     * {@link ProposalDroppedException}; nothing changed in that case.
     */
    void step(Message m) {
        long mterm = m.getTerm();
        MessageType type = m.getMsgType();
        if (mterm == 0) {
            // Local message.
        } else if (mterm > term) {
            if (type == MsgRequestVote || type == MsgRequestPreVote) {
                boolean force = CAMPAIGN_TRANSFER.equals(m.getContext());
                boolean inLease = checkQuorum && lead != NONE && electionElapsed < electionTimeout;
                if (!force && inLease) {
                    // We heard from a leader within the election timeout: this candidate is probably a
                    // partitioned node coming back. Do not let it depose a working leader.
                    return;
                }
            }
            if (type == MsgRequestPreVote) {
                // A pre-vote never changes our term.
            } else if (type == MsgRequestPreVoteResponse && !m.getReject()) {
                // Pre-votes are asked for a future term; a grant does not mean anyone is at that term.
            } else if (type == MsgAppend || type == MsgHeartbeat || type == MsgSnapshot) {
                becomeFollower(mterm, m.getFrom());
            } else {
                becomeFollower(mterm, NONE);
            }
        } else if (mterm < term) {
            if (type == MsgHeartbeat || type == MsgAppend) {
                // A stale leader (e.g. partitioned with its term frozen while we moved on) learns the new
                // term from our answer and steps down, as the Raft paper has every server reply with its
                // term. With pre-vote or the lease this is the only way it learns; without them too, since
                // our own vote requests need not reach it: a peer that missed conf changes campaigns only
                // among the voters it still believes in, and the real leader's appends would stay
                // unanswered while we stay behind forever (seed 8271085064241454924 of the simulation).
                send(msg(MsgAppendResponse, m.getFrom()));
            } else if (type == MsgRequestPreVote) {
                // Answer, so that a pre-candidate with a stale term learns it and does not wait forever.
                send(msg(MsgRequestPreVoteResponse, m.getFrom()).setTerm(term).setReject(true));
            }
            return;
        }

        switch (type) {
            case MsgHup -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
            case MsgRequestVote, MsgRequestPreVote -> handleVoteRequest(m);
            default -> {
                switch (state) {
                    case LEADER -> stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    private void handleVoteRequest(Message m) {
        MessageType type = m.getMsgType();
        MessageType respType = type == MsgRequestVote ? MsgRequestVoteResponse : MsgRequestPreVoteResponse;
        // We may vote again for the one we voted for (a retried request), vote for anyone if we have
        // neither voted nor know a leader in this term, and pre-vote for a future term freely.
        boolean canVote = vote == m.getFrom()
                || (vote == NONE && lead == NONE)
                || (type == MsgRequestPreVote && m.getTerm() > term);
        if (canVote && raftLog.isUpToDate(m.getIndex(), m.getLogTerm())
                && upToDateWithLostLog(m.getIndex(), m.getLogTerm())) {
            send(msg(respType, m.getFrom()).setTerm(m.getTerm()));
            if (type == MsgRequestVote) {
                electionElapsed = 0;
                vote = m.getFrom();
            }
        } else {
            send(msg(respType, m.getFrom()).setTerm(term).setReject(true));
        }
    }

    private void hup(CampaignType t) {
        if (state == StateType.LEADER) {
            return;
        }
        if (!promotable()) {
            return;
        }
        // A conf change committed but not applied may change who votes; wait until it is applied.
        if (hasUnappliedConfChanges()) {
            return;
        }
        campaign(t);
    }

    private boolean hasUnappliedConfChanges() {
        if (raftLog.applied >= raftLog.committed) {
            return false;
        }
        long lo = Math.max(raftLog.applied + 1, raftLog.firstIndex());
        long hi = raftLog.committed + 1;
        while (lo < hi) {
            List<Entry> ents;
            try {
                ents = raftLog.slice(lo, hi, maxCommittedSizePerReady);
            } catch (CompactedException e) {
                return false;
            }
            for (Entry e : ents) {
                if (e.getEntryType() == EntryType.EntryConfChange) {
                    return true;
                }
            }
            lo = ents.get(ents.size() - 1).getIndex() + 1;
        }
        return false;
    }

    void campaign(CampaignType t) {
        MessageType voteMsg;
        long voteTerm;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MsgRequestPreVote;
            voteTerm = term + 1;
        } else {
            becomeCandidate();
            voteMsg = MsgRequestVote;
            voteTerm = term;
        }
        tracker.recordVote(id, true);
        if (tracker.tallyVotes() == VoteResult.WON) {
            // A group of one: we won alone.
            if (t == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
                bcastAppend();
            }
            return;
        }
        long lastIndex = raftLog.lastIndex();
        long lastTerm = raftLog.lastTerm();
        for (Progress pr : tracker.all()) {
            if (pr.isLearner || pr.id == id) {
                continue;
            }
            Message.Builder b = msg(voteMsg, pr.id).setTerm(voteTerm).setIndex(lastIndex).setLogTerm(lastTerm);
            if (t == CampaignType.TRANSFER) {
                b.setContext(CAMPAIGN_TRANSFER);
            }
            send(b);
        }
    }

    // ---------------------------------------------------------------- leader

    private void stepLeader(Message m) {
        switch (m.getMsgType()) {
            case MsgBeat -> {
                bcastHeartbeat();
                return;
            }
            case MsgCheckQuorum -> {
                if (!tracker.quorumActive(id)) {
                    becomeFollower(term, NONE);
                }
                // Everyone must prove again during the next round that they are alive.
                for (Progress pr : tracker.all()) {
                    if (pr.id != id) {
                        pr.recentActive = false;
                    }
                }
                return;
            }
            case MsgPropose -> {
                handlePropose(m);
                return;
            }
            case MsgReadIndex -> {
                handleReadIndex(m);
                return;
            }
            default -> {}
        }
        Progress pr = tracker.get(m.getFrom());
        if (pr == null) {
            return;
        }
        switch (m.getMsgType()) {
            case MsgAppendResponse -> handleAppendResponse(m, pr);
            case MsgHeartbeatResponse -> handleHeartbeatResponse(m, pr);
            case MsgSnapStatus -> {
                if (pr.state != ProgressState.SNAPSHOT) {
                    return;
                }
                if (m.getReject()) {
                    pr.pendingSnapshot = 0;
                }
                pr.becomeProbe();
                // Wait for an answer (append or heartbeat response) before probing again.
                pr.msgAppFlowPaused = true;
            }
            case MsgUnreachable -> {
                // Appends were probably lost: fall back to one probe at a time.
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
            }
            case MsgTransferLeader -> handleTransferLeader(m, pr);
            default -> {}
        }
    }

    private void handlePropose(Message m) {
        int n = m.getEntriesCount();
        if (n == 0) {
            throw new IllegalArgumentException("proposal without entries");
        }
        if (tracker.get(id) == null) {
            throw new ProposalDroppedException("node " + id + " is no longer a member of the group");
        }
        if (leadTransferee != NONE) {
            throw new ProposalDroppedException("leadership transfer to " + leadTransferee + " in progress");
        }
        long li = raftLog.lastIndex();
        ArrayList<Entry> es = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Entry e = m.getEntries(i);
            long index = li + 1 + i;
            if (e.getEntryType() == EntryType.EntryConfChange) {
                if (pendingConfIndex > raftLog.applied) {
                    // Only one membership change at a time: this one becomes a no-op entry.
                    es.add(Entry.newBuilder().setTerm(term).setIndex(index).build());
                    continue;
                }
                pendingConfIndex = index;
            }
            es.add(e.toBuilder().setTerm(term).setIndex(index).build());
        }
        appendEntries(es);
        bcastAppend();
    }

    private boolean committedEntryInCurrentTerm() {
        return raftLog.termOrZero(raftLog.committed) == term;
    }

    private void handleReadIndex(Message m) {
        if (m.getEntriesCount() != 1) {
            throw new IllegalArgumentException("a read index request carries exactly one entry (its context)");
        }
        // Until an entry of our term is committed we do not know the commit index of the previous
        // leader, so a read at our commit index could miss acknowledged writes.
        if (!committedEntryInCurrentTerm()) {
            pendingReadIndexMessages.add(m);
            return;
        }
        serveReadIndex(m);
    }

    private void serveReadIndex(Message m) {
        if (tracker.isSingleton()) {
            respondToReadIndex(m, raftLog.committed);
            return;
        }
        switch (readOnly.option) {
            case SAFE -> {
                ByteString ctx = m.getEntries(0).getData();
                readOnly.addRequest(raftLog.committed, m);
                readOnly.recvAck(id, ctx);
                bcastHeartbeatWithCtx(ctx);
            }
            case LEASE_BASED -> respondToReadIndex(m, raftLog.committed);
        }
    }

    private void respondToReadIndex(Message req, long readIndex) {
        if (req.getFrom() == NONE || req.getFrom() == id) {
            readStates.add(new ReadState(readIndex, req.getEntries(0).getData().toByteArray()));
        } else {
            send(msg(MsgReadIndexResp, req.getFrom()).setIndex(readIndex).addAllEntries(req.getEntriesList()));
        }
    }

    private void releasePendingReadIndexMessages() {
        if (pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
            return;
        }
        List<Message> ready = new ArrayList<>(pendingReadIndexMessages);
        pendingReadIndexMessages.clear();
        for (Message m : ready) {
            serveReadIndex(m);
        }
    }

    private boolean maybeCommit() {
        return raftLog.maybeCommit(tracker.committed(), term);
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.getReject() && m.getRequestSnapshot()) {
            // The follower lost its log (see fenceVotesBelow): forget what it matched and probe from the
            // start, which finds our log compacted there and sends a snapshot. Not while one is under way.
            // Every request tries again (the follower asks at each heartbeat until it has one): a snapshot
            // that was still being generated, or whose transfer failed (MsgSnapStatus paused the probe),
            // would otherwise wait for a new proposal to be retried, and an idle region never has one.
            if (pr.state != ProgressState.SNAPSHOT) {
                pr.match = 0;
                pr.becomeProbe();
                sendAppend(pr);
            }
            return;
        }
        if (m.getReject()) {
            long nextProbeIdx = m.getRejectHint();
            if (m.getLogTerm() > 0) {
                // The follower told us the term of its entry at the hint: skip every entry of ours with a
                // larger term at once, they cannot match.
                nextProbeIdx = raftLog.findConflictByTerm(m.getRejectHint(), m.getLogTerm());
            }
            if (pr.maybeDecrTo(m.getIndex(), nextProbeIdx)) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(pr);
            }
            return;
        }
        boolean oldPaused = pr.isPaused();
        // A probe answered at the current match also tells us where the logs agree.
        if (!pr.maybeUpdate(m.getIndex()) && !(pr.match == m.getIndex() && pr.state == ProgressState.PROBE)) {
            return;
        }
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                // The follower caught up past our first index: it can continue from the log.
                if (pr.match + 1 >= raftLog.firstIndex()) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights.freeLE(m.getIndex());
        }
        if (maybeCommit()) {
            releasePendingReadIndexMessages();
            if (shouldBroadcastCommit()) {
                bcastAppend();
            } else if (oldPaused) {
                sendAppend(pr);
            }
        } else if (oldPaused) {
            // It may have missed the latest commit index while paused.
            sendAppend(pr);
        }
        while (maybeSendAppend(pr, false)) {
            // Stream what the window allows.
        }
        if (m.getFrom() == leadTransferee && pr.match == raftLog.lastIndex()) {
            sendTimeoutNow(m.getFrom());
        }
    }

    private void handleHeartbeatResponse(Message m, Progress pr) {
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        // A full window with an answering follower probably lost an append: free a slot to retry.
        if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) {
            pr.inflights.freeFirstOne();
        }
        if (pr.match < raftLog.lastIndex()) {
            sendAppend(pr);
        }
        if (readOnly.option != ReadOnlyOption.SAFE || m.getContext().isEmpty()) {
            return;
        }
        Map<Long, Boolean> acks = readOnly.recvAck(m.getFrom(), m.getContext());
        if (acks == null || tracker.voteResult(acks) != VoteResult.WON) {
            return;
        }
        for (ReadOnly.ReadIndexStatus rs : readOnly.advance(m.getContext())) {
            respondToReadIndex(rs.req, rs.index);
        }
    }

    private void handleTransferLeader(Message m, Progress pr) {
        if (pr.isLearner) {
            return;
        }
        long transferee = m.getFrom();
        if (leadTransferee != NONE) {
            if (leadTransferee == transferee) {
                return;
            }
            abortLeaderTransfer();
        }
        if (transferee == id) {
            return;
        }
        // The transfer must finish within an election timeout, or it is aborted.
        electionElapsed = 0;
        leadTransferee = transferee;
        if (pr.match == raftLog.lastIndex()) {
            sendTimeoutNow(transferee);
        } else {
            sendAppend(pr);
        }
    }

    void abortLeaderTransfer() {
        leadTransferee = NONE;
    }

    // ---------------------------------------------------------------- candidate

    private void stepCandidate(Message m) {
        MessageType myVoteResp = state == StateType.PRE_CANDIDATE ? MsgRequestPreVoteResponse : MsgRequestVoteResponse;
        MessageType type = m.getMsgType();
        switch (type) {
            case MsgPropose -> throw new ProposalDroppedException("no leader at term " + term);
            case MsgReadIndex -> throw new ProposalDroppedException("no leader at term " + term + " to serve a read");
            case MsgAppend -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleAppendEntries(m);
            }
            case MsgHeartbeat -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleHeartbeat(m);
            }
            case MsgSnapshot -> {
                becomeFollower(m.getTerm(), m.getFrom());
                handleSnapshot(m);
            }
            default -> {
                if (type != myVoteResp) {
                    return;
                }
                tracker.recordVote(m.getFrom(), !m.getReject());
                switch (tracker.tallyVotes()) {
                    case WON -> {
                        if (state == StateType.PRE_CANDIDATE) {
                            campaign(CampaignType.ELECTION);
                        } else {
                            becomeLeader();
                            bcastAppend();
                        }
                    }
                    case LOST -> becomeFollower(term, NONE);
                    case PENDING -> {}
                }
            }
        }
    }

    // ---------------------------------------------------------------- follower

    private void stepFollower(Message m) {
        switch (m.getMsgType()) {
            case MsgPropose -> {
                if (lead == NONE) {
                    throw new ProposalDroppedException("no leader at term " + term);
                }
                send(m.toBuilder().setTo(lead));
            }
            case MsgAppend -> {
                electionElapsed = 0;
                lead = m.getFrom();
                handleAppendEntries(m);
                maybeRequestSnapshot(m.getFrom());
            }
            case MsgHeartbeat -> {
                electionElapsed = 0;
                lead = m.getFrom();
                if (needsSnapshot()) {
                    // The leader's commit for us still counts the log we lost: it is beyond our (empty) log.
                    requestSnapshot(m.getFrom());
                } else {
                    handleHeartbeat(m);
                }
            }
            case MsgSnapshot -> {
                electionElapsed = 0;
                lead = m.getFrom();
                handleSnapshot(m);
            }
            case MsgTransferLeader -> {
                if (lead != NONE) {
                    send(m.toBuilder().setTo(lead));
                }
            }
            case MsgTimeoutNow -> hup(CampaignType.TRANSFER);
            case MsgReadIndex -> {
                if (lead == NONE) {
                    throw new ProposalDroppedException("no leader at term " + term + " to serve a read");
                }
                if (m.getEntriesCount() != 1) {
                    throw new IllegalArgumentException("a read index request carries exactly one entry (its context)");
                }
                send(m.toBuilder().setTo(lead));
            }
            case MsgReadIndexResp -> {
                if (m.getEntriesCount() == 1) {
                    readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData().toByteArray()));
                }
            }
            default -> {}
        }
    }

    void handleAppendEntries(Message m) {
        if (m.getIndex() < raftLog.committed) {
            // Everything up to our commit index matches the leader's log already.
            send(msg(MsgAppendResponse, m.getFrom()).setIndex(raftLog.committed));
            return;
        }
        long lastNew = raftLog.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
        if (lastNew >= 0) {
            send(msg(MsgAppendResponse, m.getFrom()).setIndex(lastNew));
            return;
        }
        long hintIndex = raftLog.findConflictByTerm(Math.min(m.getIndex(), raftLog.lastIndex()), m.getLogTerm());
        send(msg(MsgAppendResponse, m.getFrom())
                .setIndex(m.getIndex())
                .setReject(true)
                .setRejectHint(hintIndex)
                .setLogTerm(raftLog.termOrZero(hintIndex)));
    }

    void handleHeartbeat(Message m) {
        raftLog.commitTo(m.getCommit());
        Message.Builder b = msg(MsgHeartbeatResponse, m.getFrom());
        if (!m.getContext().isEmpty()) {
            b.setContext(m.getContext());
        }
        send(b);
    }

    void handleSnapshot(Message m) {
        if (restore(m.getSnapshot())) {
            send(msg(MsgAppendResponse, m.getFrom()).setIndex(raftLog.lastIndex()));
        } else {
            send(msg(MsgAppendResponse, m.getFrom()).setIndex(raftLog.committed));
        }
    }

    /** Installs a snapshot from the leader; returns false when it is stale or already covered by our log. */
    boolean restore(Snapshot s) {
        SnapshotMetadata md = s.getMetadata();
        if (md.getIndex() <= raftLog.committed) {
            return false;
        }
        if (state != StateType.FOLLOWER) {
            // Only a follower restores; anyone else hearing from a leader has become follower first.
            becomeFollower(term + 1, NONE);
            return false;
        }
        ConfState cs = md.getConfState();
        if (!cs.getVotersList().contains(id) && !cs.getLearnersList().contains(id)) {
            // Not a member at the snapshot's index: the snapshot is not for us.
            return false;
        }
        if (raftLog.matchTerm(md.getIndex(), md.getTerm())) {
            // We already have the entries: just learn that they are committed.
            raftLog.commitTo(md.getIndex());
            return false;
        }
        raftLog.restore(s);
        tracker.clear();
        long next = raftLog.lastIndex() + 1;
        for (long v : cs.getVotersList()) {
            tracker.add(v, 0, next, false);
        }
        for (long l : cs.getLearnersList()) {
            if (tracker.get(l) == null) {
                tracker.add(l, 0, next, true);
            }
        }
        Progress self = tracker.get(id);
        isLearner = self != null && self.isLearner;
        return true;
    }

    // ---------------------------------------------------------------- membership

    /** Applies a committed membership change and returns the resulting membership. */
    ConfState applyConfChange(ConfChange cc) {
        long nodeId = cc.getNodeId();
        if (nodeId == NONE) {
            return tracker.confState();
        }
        switch (cc.getChangeType()) {
            case AddNode -> {
                Progress pr = tracker.get(nodeId);
                if (pr == null) {
                    // Start one entry back so the first append carries an entry and goes out at once.
                    Progress added = tracker.add(nodeId, 0, Math.max(raftLog.lastIndex(), 1), false);
                    added.recentActive = true;
                } else if (pr.isLearner) {
                    pr.isLearner = false;
                }
            }
            case AddLearnerNode -> {
                Progress pr = tracker.get(nodeId);
                if (pr == null) {
                    Progress added = tracker.add(nodeId, 0, Math.max(raftLog.lastIndex(), 1), true);
                    added.recentActive = true;
                } else if (!pr.isLearner) {
                    throw new IllegalArgumentException("node " + nodeId + " is a voter and cannot become a learner");
                }
            }
            case RemoveNode -> tracker.remove(nodeId);
            default -> throw new IllegalArgumentException("unknown conf change type " + cc.getChangeType());
        }
        Progress self = tracker.get(id);
        isLearner = self != null && self.isLearner;
        if (state == StateType.LEADER && (self == null || self.isLearner)) {
            // A removed leader must not keep leading a group it is no longer part of.
            becomeFollower(term, NONE);
            return tracker.confState();
        }
        if (state != StateType.LEADER || tracker.voterCount() == 0) {
            return tracker.confState();
        }
        if (leadTransferee != NONE && !tracker.isVoter(leadTransferee)) {
            abortLeaderTransfer();
        }
        // A smaller quorum may commit what was waiting; new peers need their first append.
        if (maybeCommit()) {
            releasePendingReadIndexMessages();
            bcastAppend();
        } else {
            for (Progress pr : tracker.all()) {
                if (pr.id != id) {
                    maybeSendAppend(pr, false);
                }
            }
        }
        return tracker.confState();
    }

    /** Shorthand for applying an AddNode change (tests). */
    ConfState addNode(long nodeId) {
        return applyConfChange(ConfChange.newBuilder().setChangeType(ConfChangeType.AddNode).setNodeId(nodeId).build());
    }

    /** Shorthand for applying an AddLearnerNode change (tests). */
    ConfState addLearner(long nodeId) {
        return applyConfChange(
                ConfChange.newBuilder().setChangeType(ConfChangeType.AddLearnerNode).setNodeId(nodeId).build());
    }

    /** Shorthand for applying a RemoveNode change (tests). */
    ConfState removeNode(long nodeId) {
        return applyConfChange(
                ConfChange.newBuilder().setChangeType(ConfChangeType.RemoveNode).setNodeId(nodeId).build());
    }

    @Override
    public String toString() {
        return "Raft{id=" + id + ", term=" + term + ", vote=" + vote + ", lead=" + lead + ", state=" + state + ", "
                + raftLog + "}";
    }
}
