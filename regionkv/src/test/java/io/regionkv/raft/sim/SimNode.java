package io.regionkv.raft.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.raft.Config;
import io.regionkv.raft.MemoryStorage;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.ReadState;
import io.regionkv.raft.Ready;
import io.regionkv.raft.StateType;
import io.regionkv.raft.sim.SafetyViolation.Property;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One simulated replica, driven the way a raftstore peer drives its raft node: take a Ready and send
 * what may leave before persistence; later persist it into the node's own {@link MemoryStorage} (its
 * disk), send what had to wait, queue the committed entries and {@code advance}; later still apply a
 * batch and report it with {@code advanceApply}. A crash drops the RawNode, the Ready in flight and the
 * queued applies; the storage and the state machine survive.
 */
final class SimNode {

    /** What a node needs from the cluster around it. */
    interface Env {
        SafetyChecker checker();

        void send(SimNode from, Message m);

        void readStateReady(SimNode node, ReadState rs);

        void applied(SimNode node, Entry e);

        void confChangeApplied(SimNode node, ConfChange cc);

        void trace(String event);
    }

    final long id;
    final MemoryStorage storage = new MemoryStorage();
    final StateMachine sm;
    private final Env env;
    private final SafetyChecker checker;
    /** {@link Fault#ACK_BEFORE_PERSIST}: the bug of answering before the fsync. */
    private final boolean ackBeforePersist;

    /** Null while the node is down. */
    private RawNode raw;
    private int incarnation;
    private Ready inFlight;
    private final ArrayDeque<List<Entry>> applyQueue = new ArrayDeque<>();
    /** Times a persisted tail was replaced by a new leader's entries (for the run summary). */
    long truncations;
    /** Removed from the group for good: never restarted, receives nothing. */
    boolean destroyed;

    /** Role and term as of the last Ready taken; exact at that moment since a Ready reports every change. */
    private long term;
    private StateType role = StateType.FOLLOWER;
    private long commit;

    SimNode(long id, StateMachine sm, Env env, boolean ackBeforePersist) {
        this.ackBeforePersist = ackBeforePersist;
        this.id = id;
        this.sm = sm;
        this.env = env;
        this.checker = env.checker();
    }

    boolean isUp() {
        return raw != null;
    }

    RawNode raw() {
        return raw;
    }

    int incarnation() {
        return incarnation;
    }

    boolean hasWork() {
        return raw != null && (inFlight != null || raw.hasReady() || !applyQueue.isEmpty());
    }

    /** Whether a Ready is in flight or waiting to be taken. */
    boolean hasReadyWork() {
        return raw != null && (inFlight != null || raw.hasReady());
    }

    boolean hasPendingApply() {
        return !applyQueue.isEmpty();
    }

    /** Starts (or restarts) over what the storage and state machine hold, as a process would after a crash. */
    void start(Config.Builder config, long seed) {
        if (raw != null || destroyed) {
            throw new IllegalStateException("node " + id + " is " + (destroyed ? "destroyed" : "already up"));
        }
        incarnation++;
        raw = new RawNode(config.storage(storage).applied(sm.appliedIndex()).randomSeed(seed).build());
        HardState hs = storage.hardState();
        term = hs.getTerm();
        commit = hs.getCommit();
        role = StateType.FOLLOWER;
    }

    /** Loses everything not persisted: raft's memory, the Ready in flight (and its unsent messages), queued applies. */
    void crash() {
        raw = null;
        inFlight = null;
        applyQueue.clear();
        role = StateType.FOLLOWER;
    }

    void destroy() {
        crash();
        destroyed = true;
    }

    /**
     * Takes the next Ready if none is in flight, otherwise persists the one in flight. With
     * {@code persistAtOnce} a Ready taken now is persisted at once too.
     */
    void handleReady(boolean persistAtOnce, boolean applyAtOnce) {
        if (inFlight == null) {
            if (!raw.hasReady()) {
                return;
            }
            takeReady();
            if (!persistAtOnce) {
                return;
            }
        }
        persist();
        if (applyAtOnce) {
            while (!applyQueue.isEmpty()) {
                applyOne();
            }
        }
    }

    private void takeReady() {
        Ready rd = raw.ready();
        inFlight = rd;
        // Leading in the same term at both Readies means leading all along: a node leads a term at most once.
        boolean ledSinceLastReady = role == StateType.LEADER;
        long lastTerm = term;
        if (rd.softState() != null) {
            role = rd.softState().state();
        }
        if (rd.hardState() != null) {
            term = rd.hardState().getTerm();
        }
        ReadyLogView view = new ReadyLogView(storage, rd.snapshot(), rd.entries());
        List<Entry> ents = rd.entries();
        env.trace("n" + id + " ready " + TraceFormat.ready(rd));
        if (!ents.isEmpty()) {
            long prev = ents.get(0).getIndex() - 1;
            checker.observeEntries(prev, view.term(prev), ents, "node " + id + "'s log");
        }
        checker.observeRole(id, term, role == StateType.LEADER);
        if (rd.hardState() != null) {
            long newCommit = rd.hardState().getCommit();
            if (newCommit < commit) {
                throw new SafetyViolation(Property.RAFT_CONTRACT,
                        "node " + id + " commit index went back from " + commit + " to " + newCommit);
            }
            if (newCommit > view.lastIndex()) {
                throw new SafetyViolation(Property.RAFT_CONTRACT,
                        "node " + id + " commit index " + newCommit + " is beyond its last index " + view.lastIndex());
            }
            if (newCommit > commit && ledSinceLastReady && role == StateType.LEADER && term == lastTerm) {
                checker.observeLeaderCommit(id, term, newCommit, view.term(newCommit));
            }
            long from = Math.max(commit, view.baseIndex()) + 1;
            if (from <= newCommit) {
                for (Entry e : view.entries(from, newCommit + 1)) {
                    checker.observeCommitted(id, term, e);
                }
            }
            commit = newCommit;
        }
        if (role == StateType.LEADER) {
            checker.observeLeaderLog(id, term, view, rd.snapshot() != null, ents);
        }
        for (ReadState rs : rd.readStates()) {
            env.readStateReady(this, rs);
        }
        for (Message m : rd.messages()) {
            env.send(this, m);
        }
        if (ackBeforePersist) {
            for (Message m : rd.persistedMessages()) {
                env.send(this, m);
            }
        }
    }

    private void persist() {
        Ready rd = inFlight;
        Snapshot snap = rd.snapshot();
        if (snap != null) {
            storage.applySnapshot(snap);
            // The snapshot replaces the state machine in the same durable step, so that a restart never
            // finds a storage snapshot newer than the applied index. Queued applies are older: drop them.
            applyQueue.clear();
            long digest = sm.restore(snap);
            checker.observeSnapshotInstalled(id, snap.getMetadata().getIndex(), snap.getMetadata().getTerm(), digest);
        }
        if (!rd.entries().isEmpty() && rd.entries().get(0).getIndex() <= storage.lastIndex()) {
            truncations++;
        }
        storage.append(rd.entries());
        if (rd.hardState() != null) {
            storage.setHardState(rd.hardState());
        }
        env.trace("n" + id + " persisted" + (snap != null ? " snap " + snap.getMetadata().getIndex() : "")
                + (rd.entries().isEmpty() ? "" : " to " + rd.entries().get(rd.entries().size() - 1).getIndex()));
        if (!ackBeforePersist) {
            for (Message m : rd.persistedMessages()) {
                env.send(this, m);
            }
        }
        if (!rd.committedEntries().isEmpty()) {
            applyQueue.addLast(rd.committedEntries());
        }
        inFlight = null;
        raw.advance(rd);
        if (snap != null) {
            raw.advanceApply(snap.getMetadata().getIndex());
        }
    }

    /** Applies the oldest queued batch of committed entries and reports it applied. */
    void applyOne() {
        List<Entry> batch = applyQueue.pollFirst();
        if (batch == null) {
            return;
        }
        for (Entry e : batch) {
            if (e.getIndex() != sm.appliedIndex() + 1) {
                throw new SafetyViolation(Property.RAFT_CONTRACT, "node " + id + " was handed entry " + e.getIndex()
                        + " to apply after applying up to " + sm.appliedIndex());
            }
            sm.apply(e);
            checker.observeApplied(id, e, sm.digest());
            env.applied(this, e);
            if (e.getEntryType() == EntryType.EntryConfChange) {
                applyConfChange(e);
            }
        }
        long last = batch.get(batch.size() - 1).getIndex();
        env.trace("n" + id + " applied " + batch.get(0).getIndex() + ".." + last);
        raw.advanceApply(last);
    }

    private void applyConfChange(Entry e) {
        ConfChange cc;
        try {
            cc = ConfChange.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            throw new AssertionError("conf change entry " + e.getIndex() + " does not parse", ex);
        }
        ConfState cs;
        try {
            cs = raw.applyConfChange(cc);
        } catch (IllegalArgumentException ex) {
            // A stale duplicate (say, "add learner" for a node promoted since): every replica refuses it
            // alike, and nothing changes.
            env.trace("n" + id + " refused conf change " + cc.getChangeType() + " " + cc.getNodeId() + ": "
                    + ex.getMessage());
            cs = sm.confState();
        }
        sm.setConfState(cs);
        // The membership is part of the durable state: record it with a snapshot at this index, which is
        // what the storage reports as the ConfState on restart.
        storage.createSnapshot(e.getIndex(), cs, sm.snapshotData());
        env.trace("n" + id + " conf change " + cc.getChangeType() + " " + cc.getNodeId() + " -> voters "
                + cs.getVotersList() + " learners " + cs.getLearnersList());
        env.confChangeApplied(this, cc);
    }

    /**
     * Makes sure no handed-out committed entry is still waiting to be applied. Called before stepping a
     * snapshot: raft replaces its membership when it restores one, so a conf change applied afterwards
     * from an older batch would corrupt it. A raftstore likewise lets apply catch up first.
     */
    void drainPipeline() {
        if (inFlight != null) {
            persist();
        }
        while (!applyQueue.isEmpty()) {
            applyOne();
        }
    }

    /** Snapshots the state machine at its applied index and compacts the log up to there. */
    boolean compact(int keepAtLeast) {
        long applied = sm.appliedIndex();
        long first = storage.firstIndex();
        if (applied - first + 1 < keepAtLeast) {
            return false;
        }
        if (applied > storage.snapshot().getMetadata().getIndex()) {
            storage.createSnapshot(applied, sm.confState(), sm.snapshotData());
        }
        storage.compact(applied);
        env.trace("n" + id + " compacted to " + applied);
        return true;
    }

    StateType role() {
        return role;
    }

    String summary() {
        return "n" + id + (destroyed ? " destroyed" : raw == null ? " down" : " up") + " inc=" + incarnation
                + " term=" + term + " role=" + role + " commit=" + commit + " applied=" + sm.appliedIndex()
                + " log=[" + storage.firstIndex() + ".." + storage.lastIndex() + "] hs={" + storage.hardState().toString()
                .replace('\n', ' ').trim() + "} conf=" + sm.confState().getVotersList() + "/"
                + sm.confState().getLearnersList() + " inFlight=" + (inFlight != null) + " applyQueue=" + applyQueue.size()
                + (raw != null ? " status=" + raw.status().softState() : "");
    }
}
