package io.regionkv.raft.sim;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import io.regionkv.raft.ProposalDroppedException;
import io.regionkv.raft.ReadState;
import io.regionkv.raft.SnapshotStatus;
import io.regionkv.raft.StateType;
import io.regionkv.raft.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Five (later up to seven) {@link SimNode}s and the network between them: a pool of messages in flight
 * from which deliveries pick at random, so messages are reordered, delayed for long, lost, duplicated, or
 * cut off by partitions. Every random choice comes from the one Random the schedule owns, so a seed
 * replays the same history.
 */
final class SimulatedCluster implements SimNode.Env {
    /** Like TiKV, a group starts from a bootstrap snapshot so that nodes added later learn it from one. */
    static final long BOOTSTRAP_INDEX = 5;
    static final long BOOTSTRAP_TERM = 5;
    static final int INITIAL_NODES = 5;
    static final int MAX_NODE_ID = 9;
    static final int MAX_MEMBERS = 7;
    private static final int LOG_MATCHING_EVERY = 256;

    private final Random rnd;
    private final SimParams params;
    private final SafetyChecker checker = new SafetyChecker();
    private final Trace trace = new Trace(Integer.getInteger("raft.sim.traceEvents", 200));
    private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    private final SimNetwork network = new SimNetwork();
    private final MembershipDriver membership;
    private final List<ConfChange> appliedConfChanges = new ArrayList<>();
    /** ReadIndex requests by context: the commit index known when each was asked. */
    private final Map<String, Long> reads = new HashMap<>();
    /** No loss or duplication: the healed network of the liveness phase. */
    private boolean calm;
    /** The node the current event acted on, whose role is checked after the event. */
    private SimNode touched;
    private long seq;
    private long step;

    private final ByteString finalMarker = ByteString.copyFromUtf8("final");
    private long finalIndex;

    // Counters for the run summary.
    final long[] performed = new long[EventKind.values().length];
    long delivered;
    long proposals;
    long readsAnswered;
    long crashes;
    long snapshotsSent;

    SimulatedCluster(Random rnd, SimParams params) {
        this.rnd = rnd;
        this.params = params;
        this.membership = new MembershipDriver(INITIAL_NODES + 1, MAX_NODE_ID, MAX_MEMBERS);
        ConfState.Builder cs = ConfState.newBuilder();
        for (long id = 1; id <= INITIAL_NODES; id++) {
            cs.addVoters(id);
        }
        ConfState initial = cs.build();
        checker.observeDigest(0, BOOTSTRAP_INDEX, 0);
        for (long id = 1; id <= INITIAL_NODES; id++) {
            StateMachine sm = new StateMachine(BOOTSTRAP_INDEX, 0, initial);
            SimNode n = new SimNode(id, sm, this, params.fault() == Fault.ACK_BEFORE_PERSIST);
            n.storage.applySnapshot(Snapshot.newBuilder()
                    .setMetadata(SnapshotMetadata.newBuilder().setIndex(BOOTSTRAP_INDEX).setTerm(BOOTSTRAP_TERM)
                            .setConfState(initial))
                    .setData(sm.snapshotData())
                    .build());
            n.storage.setHardState(HardState.newBuilder().setTerm(BOOTSTRAP_TERM).setCommit(BOOTSTRAP_INDEX).build());
            nodes.put(id, n);
            n.start(params.config(id), rnd.nextLong());
        }
        // Like a bootstrapped region, one node campaigns at once rather than waiting for a timeout.
        SimNode first = nodes.get(1L + rnd.nextInt(INITIAL_NODES));
        trace.add("n" + first.id + " campaign");
        first.raw().campaign();
    }

    Trace trace() {
        return trace;
    }

    @Override
    public SafetyChecker checker() {
        return checker;
    }

    long truncations() {
        long t = 0;
        for (SimNode n : nodes.values()) {
            t += n.truncations;
        }
        return t;
    }

    int membershipChanges() {
        return membership.completed();
    }

    // ---------------------------------------------------------------- the random schedule

    void step(long step) {
        this.step = step;
        trace.setStep(step);
        // An event that finds nothing to do (no message in flight, no Ready) is drawn again, so that every
        // step moves the history on.
        for (int attempt = 0; attempt < 64; attempt++) {
            touched = null;
            EventKind kind = params.pick(rnd, network.size());
            if (perform(kind)) {
                performed[kind.ordinal()]++;
                break;
            }
        }
        afterEvent(touched);
        if (step % LOG_MATCHING_EVERY == 0) {
            checkLogMatching();
        }
    }

    /** Performs one event; returns false if it found nothing to do. Sets {@link #touched}. */
    private boolean perform(EventKind kind) {
        return switch (kind) {
            case DELIVER -> deliver();
            case READY -> {
                // A raftstore handles a peer's Ready right after the messages that caused it, so pick among
                // the nodes that have one.
                SimNode n = randomNodeWithReady();
                boolean persist = rnd.nextDouble() < params.persistAtOnce();
                boolean apply = rnd.nextDouble() < params.applyAtOnce();
                if (n == null) {
                    yield false;
                }
                n.handleReady(persist, apply);
                touched = n;
                yield true;
            }
            case TICK -> {
                SimNode n = randomNode(true);
                if (n == null) {
                    yield false;
                }
                trace.add("n" + n.id + " tick");
                n.raw().tick();
                touched = n;
                yield true;
            }
            case APPLY -> {
                List<SimNode> pending = new ArrayList<>();
                for (SimNode n : nodes.values()) {
                    if (n.isUp() && n.hasPendingApply()) {
                        pending.add(n);
                    }
                }
                if (pending.isEmpty()) {
                    yield false;
                }
                SimNode n = pending.get(rnd.nextInt(pending.size()));
                n.applyOne();
                touched = n;
                yield true;
            }
            case PROPOSE -> propose();
            case READ_INDEX -> readIndex();
            case PARTITION -> !network.isPartitioned() && partition();
            case HEAL -> {
                if (!network.isPartitioned()) {
                    yield false;
                }
                trace.add("heal partition");
                network.heal();
                yield true;
            }
            case CRASH -> crash();
            case RESTART -> {
                SimNode n = randomNode(false);
                if (n == null) {
                    yield false;
                }
                trace.add("n" + n.id + " restart");
                restart(n);
                touched = n;
                yield true;
            }
            case CONF_CHANGE -> confChange();
            case COMPACT -> {
                // The leader's compaction is what sends lagging followers snapshots: favour it.
                SimNode leader = currentLeader();
                SimNode n = leader != null && rnd.nextBoolean() ? leader : randomNode(true);
                if (n == null || !n.compact(params.compactEvery())) {
                    yield false;
                }
                touched = n;
                yield true;
            }
            case TRANSFER_LEADER -> transferLeader();
        };
    }

    private void afterEvent(SimNode touched) {
        applyMembershipChanges();
        if (touched != null) {
            observeRole(touched);
        }
    }

    /** Election safety between Readies: a node may win and lose leadership before its next Ready. */
    private void observeRole(SimNode n) {
        if (n.isUp()) {
            Status st = n.raw().status();
            checker.observeRole(n.id, st.hardState().getTerm(), st.softState().state() == StateType.LEADER);
        }
    }

    void checkLogMatching() {
        Map<Long, StorageLogView> logs = new TreeMap<>();
        for (SimNode n : nodes.values()) {
            logs.put(n.id, new StorageLogView(n.storage));
        }
        checker.checkLogMatching(logs);
    }

    private SimNode randomNodeWithReady() {
        List<SimNode> c = new ArrayList<>(nodes.size());
        for (SimNode n : nodes.values()) {
            if (n.hasReadyWork()) {
                c.add(n);
            }
        }
        return c.isEmpty() ? null : c.get(rnd.nextInt(c.size()));
    }

    /** A random node that is up (or, with {@code up} false, down and restartable), or null. */
    private SimNode randomNode(boolean up) {
        List<SimNode> c = new ArrayList<>(nodes.size());
        for (SimNode n : nodes.values()) {
            if (!n.destroyed && n.isUp() == up) {
                c.add(n);
            }
        }
        return c.isEmpty() ? null : c.get(rnd.nextInt(c.size()));
    }

    private boolean deliver() {
        if (network.isEmpty()) {
            return false;
        }
        boolean duplicate = !calm && rnd.nextDouble() < params.dupRate();
        Envelope env = network.take(rnd, params.reorderRate(), duplicate);
        boolean lost = !calm && rnd.nextDouble() < params.lossRate();
        touched = deliver(env, duplicate, lost);
        return true;
    }

    private SimNode deliver(Envelope env, boolean duplicate, boolean lost) {
        Message m = env.msg();
        SimNode to = nodes.get(m.getTo());
        String why = null;
        if (to == null || to.destroyed) {
            why = "no such node";
        } else if (!to.isUp()) {
            why = "target down";
        } else if (!network.connected(m.getFrom(), m.getTo())) {
            why = "partitioned";
        } else if (lost) {
            why = "lost";
        }
        if (why != null) {
            trace.add("drop " + TraceFormat.message(m) + " (" + why + ")");
            undeliverable(env);
            return null;
        }
        trace.add("deliver " + (duplicate ? "(dup) " : "") + TraceFormat.message(m));
        delivered++;
        boolean snapshot = m.getMsgType() == MessageType.MsgSnapshot;
        if (snapshot) {
            to.drainPipeline();
        }
        try {
            to.raw().step(m);
        } catch (ProposalDroppedException e) {
            trace.add("  " + e.getMessage());
        }
        if (snapshot) {
            snapshotsSent++;
            SimNode from = nodes.get(m.getFrom());
            if (from != null && from.isUp() && from.incarnation() == env.senderIncarnation()) {
                from.raw().reportSnapshot(m.getTo(), SnapshotStatus.FINISH);
            }
        }
        return to;
    }

    /** The transport tells the sender what it noticed: a failed snapshot always, an unreachable peer sometimes. */
    private void undeliverable(Envelope env) {
        Message m = env.msg();
        SimNode from = nodes.get(m.getFrom());
        if (from == null || !from.isUp() || from.incarnation() != env.senderIncarnation()) {
            return;
        }
        if (m.getMsgType() == MessageType.MsgSnapshot) {
            from.raw().reportSnapshot(m.getTo(), SnapshotStatus.FAILURE);
        } else if (rnd.nextInt(4) == 0) {
            from.raw().reportUnreachable(m.getTo());
        }
    }

    private void restart(SimNode n) {
        if (params.fault() == Fault.FORGET_VOTE_ON_RESTART) {
            n.storage.setHardState(n.storage.hardState().toBuilder().setVote(0).build());
        }
        n.start(params.config(n.id), rnd.nextLong());
    }

    private boolean propose() {
        // Clients mostly find a leader, also one cut off from the group whose entries a new leader will
        // overwrite.
        SimNode n = rnd.nextBoolean() ? randomSelfBelievedLeader() : randomNode(true);
        if (n == null) {
            return false;
        }
        touched = n;
        int count = 1 + rnd.nextInt(3);
        List<ByteString> data = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            data.add(ByteString.copyFromUtf8("v" + (++seq)));
        }
        trace.add("n" + n.id + " propose " + data.get(0).toStringUtf8() + (count > 1 ? " +" + (count - 1) : ""));
        try {
            if (count == 1) {
                n.raw().propose(data.get(0));
            } else {
                n.raw().propose(data);
            }
            proposals += count;
        } catch (ProposalDroppedException e) {
            // Refused without effect: let the step do something else.
            trace.add("  " + e.getMessage());
            return false;
        }
        return true;
    }

    private boolean readIndex() {
        SimNode n = randomNode(true);
        if (n == null) {
            return false;
        }
        touched = n;
        // Everything any node knows committed now was committed before this read was asked.
        long known = checker.maxCommitted();
        for (SimNode o : nodes.values()) {
            known = Math.max(known, o.storage.hardState().getCommit());
            if (o.isUp()) {
                known = Math.max(known, o.raw().status().hardState().getCommit());
            }
        }
        String ctx = "r" + (++seq);
        reads.put(ctx, known);
        trace.add("n" + n.id + " readIndex " + ctx + " (known committed " + known + ")");
        try {
            n.raw().readIndex(ctx.getBytes(StandardCharsets.UTF_8));
        } catch (ProposalDroppedException e) {
            trace.add("  " + e.getMessage());
            return false;
        }
        return true;
    }

    private boolean partition() {
        List<Long> live = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (!n.destroyed) {
                live.add(n.id);
            }
        }
        int k = 1 + rnd.nextInt(Math.max(1, live.size() / 2));
        List<Long> minority = new ArrayList<>();
        // Half of the partitions cut the leader off from the majority.
        SimNode leader = currentLeader();
        if (leader != null && rnd.nextBoolean()) {
            live.remove(leader.id);
            minority.add(leader.id);
            k--;
        }
        for (int i = 0; i < k; i++) {
            minority.add(live.remove(rnd.nextInt(live.size())));
        }
        network.partition(minority);
        trace.add("partition " + minority + " | " + live);
        return true;
    }

    private boolean crash() {
        int up = 0;
        for (SimNode n : nodes.values()) {
            if (n.isUp()) {
                up++;
            }
        }
        if (up <= 1) {
            return false;
        }
        // Leaders crash more often than their share: losing one is what tests elections and completeness.
        SimNode leader = currentLeader();
        SimNode n = leader != null && rnd.nextBoolean() ? leader : randomNode(true);
        trace.add("n" + n.id + " CRASH");
        n.crash();
        crashes++;
        for (Envelope e : network.cutOff(n.id)) {
            trace.add("drop " + TraceFormat.message(e.msg()) + " (connection to crashed node)");
            undeliverable(e);
        }
        return true;
    }

    private boolean confChange() {
        SimNode leader = currentLeader();
        if (leader == null) {
            return false;
        }
        SimNode mostApplied = null;
        for (SimNode n : nodes.values()) {
            if (mostApplied == null || n.sm.appliedIndex() > mostApplied.sm.appliedIndex()) {
                mostApplied = n;
            }
        }
        ConfChange cc = membership.next(mostApplied.sm.confState(), step, rnd);
        if (cc == null) {
            return false;
        }
        touched = leader;
        trace.add("n" + leader.id + " proposeConfChange " + cc.getChangeType() + " " + cc.getNodeId());
        try {
            leader.raw().proposeConfChange(cc);
        } catch (ProposalDroppedException e) {
            trace.add("  " + e.getMessage());
        }
        return true;
    }

    private boolean transferLeader() {
        SimNode leader = currentLeader();
        if (leader == null) {
            return false;
        }
        List<Long> voters = new ArrayList<>(leader.sm.confState().getVotersList());
        voters.remove(leader.id);
        if (voters.isEmpty()) {
            return false;
        }
        touched = leader;
        long target = voters.get(rnd.nextInt(voters.size()));
        trace.add("n" + leader.id + " transferLeader to " + target);
        leader.raw().transferLeader(target);
        return true;
    }

    /** A random up node that believes it is leader, in whatever term; else any up node. */
    private SimNode randomSelfBelievedLeader() {
        List<SimNode> c = new ArrayList<>(2);
        for (SimNode n : nodes.values()) {
            if (n.isUp() && n.raw().status().softState().state() == StateType.LEADER) {
                c.add(n);
            }
        }
        return c.isEmpty() ? randomNode(true) : c.get(rnd.nextInt(c.size()));
    }

    /** The up node that believes it leads in the highest term, or null. */
    private SimNode currentLeader() {
        SimNode best = null;
        long bestTerm = -1;
        for (SimNode n : nodes.values()) {
            if (n.isUp()) {
                Status st = n.raw().status();
                if (st.softState().state() == StateType.LEADER && st.hardState().getTerm() > bestTerm) {
                    best = n;
                    bestTerm = st.hardState().getTerm();
                }
            }
        }
        return best;
    }

    /** Creates nodes added to the group and destroys removed ones, once the change is applied somewhere. */
    private void applyMembershipChanges() {
        if (appliedConfChanges.isEmpty()) {
            return;
        }
        List<ConfChange> changes = new ArrayList<>(appliedConfChanges);
        appliedConfChanges.clear();
        for (ConfChange cc : changes) {
            long id = cc.getNodeId();
            SimNode n = nodes.get(id);
            switch (cc.getChangeType()) {
                case AddNode, AddLearnerNode -> {
                    if (n == null) {
                        n = new SimNode(id, new StateMachine(0, 0, ConfState.getDefaultInstance()), this,
                                params.fault() == Fault.ACK_BEFORE_PERSIST);
                        nodes.put(id, n);
                        n.start(params.config(id), rnd.nextLong());
                        trace.add("n" + id + " created (empty, learns the group from a snapshot)");
                    }
                }
                case RemoveNode -> {
                    if (n != null && !n.destroyed) {
                        n.destroy();
                        trace.add("n" + id + " destroyed (removed from the group)");
                    }
                }
                default -> {}
            }
        }
    }

    // ---------------------------------------------------------------- SimNode.Env

    @Override
    public void send(SimNode from, Message m) {
        if (m.getMsgType() == MessageType.MsgAppend && m.getEntriesCount() > 0) {
            checker.observeEntries(m.getIndex(), m.getLogTerm(), m.getEntriesList(),
                    "append from node " + from.id + " in term " + m.getTerm());
        }
        Envelope env = new Envelope(m, from.incarnation());
        if (!network.offer(env)) {
            trace.add("drop " + TraceFormat.message(m) + " (network full)");
            undeliverable(env);
        }
    }

    @Override
    public void readStateReady(SimNode node, ReadState rs) {
        String ctx = new String(rs.requestCtx(), StandardCharsets.UTF_8);
        Long known = reads.get(ctx);
        trace.add("n" + node.id + " read " + ctx + " at index " + rs.index());
        if (known == null) {
            throw new AssertionError("node " + node.id + " answered unknown read " + ctx);
        }
        readsAnswered++;
        checker.observeReadIndex(node.id, ctx, known, rs.index());
    }

    @Override
    public void applied(SimNode node, Entry e) {
        if (e.getData().equals(finalMarker) && (finalIndex == 0 || e.getIndex() < finalIndex)) {
            finalIndex = e.getIndex();
        }
    }

    @Override
    public void confChangeApplied(SimNode node, ConfChange cc) {
        appliedConfChanges.add(cc);
    }

    @Override
    public void trace(String event) {
        trace.add(event);
    }

    // ---------------------------------------------------------------- liveness

    /**
     * Heals the network, restarts every crashed member, and then drives the cluster fairly (every node
     * ticks once per round, every message is delivered) until a leader has committed a final proposal
     * and every member has applied it.
     *
     * @return the number of rounds it took
     * @throws AssertionError if that does not happen within {@code maxRounds}
     */
    int healAndAwaitLiveness(int maxRounds) {
        calm = true;
        network.heal();
        trace.setStep(step + 1);
        trace.add("=== heal: network whole and reliable, every crashed node restarts ===");
        for (SimNode n : nodes.values()) {
            if (!n.destroyed && !n.isUp()) {
                restart(n);
            }
        }
        long nextProposal = 0;
        for (int round = 0; round < maxRounds; round++) {
            trace.setStep(step + 1 + round);
            settle();
            SimNode leader = currentLeader();
            if (leader != null) {
                if (finalIndex > 0 && allMembersApplied(leader, finalIndex)) {
                    checkLogMatching();
                    return round;
                }
                if (finalIndex == 0 && round >= nextProposal) {
                    trace.add("n" + leader.id + " propose final");
                    try {
                        leader.raw().propose(finalMarker);
                    } catch (ProposalDroppedException e) {
                        trace.add("  " + e.getMessage());
                    }
                    nextProposal = round + 3L * params.electionTick();
                    settle();
                    continue;
                }
            }
            for (SimNode n : nodes.values()) {
                if (n.isUp()) {
                    n.raw().tick();
                    observeRole(n);
                }
            }
        }
        SimNode leader = currentLeader();
        throw new AssertionError("liveness: after " + maxRounds + " rounds on a healed network "
                + (leader == null ? "there is no leader" : "leader " + leader.id + " has not got the final proposal ("
                + (finalIndex == 0 ? "not committed" : "committed at " + finalIndex) + ") applied on every member"));
    }

    private boolean allMembersApplied(SimNode leader, long index) {
        ConfState cs = leader.sm.confState();
        List<Long> members = new ArrayList<>(cs.getVotersList());
        members.addAll(cs.getLearnersList());
        for (long id : members) {
            SimNode n = nodes.get(id);
            if (n != null && !n.destroyed && n.sm.appliedIndex() < index) {
                return false;
            }
        }
        return true;
    }

    /** Runs every node's Ready/apply cycle and delivers every message until nothing moves (no ticks). */
    private void settle() {
        for (int guard = 0; guard < 100_000; guard++) {
            boolean moved = false;
            for (SimNode n : new ArrayList<>(nodes.values())) {
                while (n.hasWork()) {
                    if (n.hasPendingApply()) {
                        n.applyOne();
                    } else {
                        n.handleReady(true, true);
                    }
                    moved = true;
                }
                observeRole(n);
            }
            applyMembershipChanges();
            if (!network.isEmpty()) {
                for (Envelope env : network.takeAll()) {
                    SimNode to = deliver(env, false, false);
                    if (to != null) {
                        observeRole(to);
                    }
                }
                moved = true;
            }
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("liveness: the cluster does not quiesce without ticks (message storm)");
    }

    // ---------------------------------------------------------------- reporting

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("params: ").append(params).append('\n');
        sb.append("events:");
        for (EventKind k : EventKind.values()) {
            sb.append(' ').append(k).append('=').append(performed[k.ordinal()]);
        }
        sb.append('\n');
        sb.append("network: ").append(network).append(calm ? ", calm" : "").append('\n');
        for (SimNode n : nodes.values()) {
            sb.append("  ").append(n.summary()).append('\n');
        }
        return sb.toString();
    }
}
