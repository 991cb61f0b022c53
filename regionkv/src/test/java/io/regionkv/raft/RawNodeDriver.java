package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drives {@link RawNode}s through the Ready contract the way a peer actor does: persist the Ready's
 * snapshot, entries and hard state into a {@link MemoryStorage}, send its messages, apply its committed
 * entries (membership changes through {@link RawNode#applyConfChange}), {@code advance}, then
 * {@code advanceApply}. A group of such nodes exchanges messages until it is quiet.
 */
final class RawNodeDriver {
    private final Map<Long, RawNode> nodes = new LinkedHashMap<>();
    private final Map<Long, MemoryStorage> storages = new LinkedHashMap<>();
    /** Nodes that are down: messages to and from them are lost. */
    private final Set<Long> down = new HashSet<>();
    /** Nodes whose application is slow: the highest index they applied but have not reported yet. */
    private final Map<Long, Long> heldApply = new LinkedHashMap<>();
    /** Every Ready handled by {@link #stabilize}, per node, for tests that inspect what was handed out. */
    private final Map<Long, List<Ready>> handled = new LinkedHashMap<>();

    /** A group of fresh nodes 1..n with test configs (PreVote and CheckQuorum off). */
    static RawNodeDriver group(int n) {
        RawNodeDriver d = new RawNodeDriver();
        long[] ids = RaftTestUtil.idsBySize(n);
        for (long id : ids) {
            MemoryStorage s = new MemoryStorage();
            d.nodes.put(id, new RawNode(RaftTestUtil.newTestConfig(id, ids, 10, 1, s)));
            d.storages.put(id, s);
        }
        return d;
    }

    RawNode node(long id) {
        return nodes.get(id);
    }

    MemoryStorage storage(long id) {
        return storages.get(id);
    }

    /** Writes what the Ready asks to persist, as the raft-log writer would (snapshot, then entries, then state). */
    static void persist(MemoryStorage s, Ready rd) {
        if (rd.snapshot() != null) {
            s.applySnapshot(rd.snapshot());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
    }

    /** The index the application has applied once it has applied this Ready, or 0 if it brings nothing to apply. */
    static long appliedCursor(Ready rd) {
        List<Entry> c = rd.committedEntries();
        if (!c.isEmpty()) {
            return c.get(c.size() - 1).getIndex();
        }
        return rd.snapshot() != null ? rd.snapshot().getMetadata().getIndex() : 0;
    }

    /** Applies the membership changes among the Ready's committed entries. */
    static void applyConfChanges(RawNode n, Ready rd) {
        for (Entry e : rd.committedEntries()) {
            if (e.getEntryType() == EntryType.EntryConfChange) {
                try {
                    n.applyConfChange(ConfChange.parseFrom(e.getData()));
                } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                    throw new IllegalStateException("corrupt conf change at " + e.getIndex(), ex);
                }
            }
        }
    }

    /** Handles one Ready completely (persist, apply, advance, advanceApply); returns every message it carried. */
    static List<Message> handle(RawNode n, MemoryStorage s, Ready rd) {
        persist(s, rd);
        applyConfChanges(n, rd);
        n.advance(rd);
        long applied = appliedCursor(rd);
        if (applied > 0) {
            n.advanceApply(applied);
        }
        List<Message> out = new ArrayList<>(rd.messages());
        out.addAll(rd.persistedMessages());
        return out;
    }

    /**
     * Like {@link #handle} but the application does not report what it applied: raft goes on thinking
     * those entries are still being applied.
     */
    static List<Message> handleWithoutApplyReport(RawNode n, MemoryStorage s, Ready rd) {
        persist(s, rd);
        applyConfChanges(n, rd);
        n.advance(rd);
        List<Message> out = new ArrayList<>(rd.messages());
        out.addAll(rd.persistedMessages());
        return out;
    }

    /** From now on node {@code id} applies committed entries without reporting it (a slow apply step). */
    void holdApply(long id) {
        heldApply.putIfAbsent(id, 0L);
    }

    /** Node {@code id} reports everything it applied while held, and reports promptly again. */
    void releaseApply(long id) {
        Long applied = heldApply.remove(id);
        if (applied != null && applied > 0) {
            nodes.get(id).advanceApply(applied);
        }
    }

    /** Runs Ready cycles of a lone node until it has nothing left; returns the entries it committed. */
    static List<Entry> drain(RawNode n, MemoryStorage s) {
        List<Entry> committed = new ArrayList<>();
        while (n.hasReady()) {
            Ready rd = n.ready();
            committed.addAll(rd.committedEntries());
            handle(n, s, rd);
        }
        return committed;
    }

    /** Delivers messages and runs Ready cycles on every node until nothing moves. */
    void stabilize(Message... initial) {
        ArrayDeque<Message> queue = new ArrayDeque<>(List.of(initial));
        while (true) {
            while (!queue.isEmpty()) {
                deliver(queue.pollFirst());
            }
            boolean moved = false;
            for (Map.Entry<Long, RawNode> e : nodes.entrySet()) {
                RawNode n = e.getValue();
                if (n.hasReady()) {
                    moved = true;
                    long id = e.getKey();
                    Ready rd = n.ready();
                    handled.computeIfAbsent(id, k -> new ArrayList<>()).add(rd);
                    if (heldApply.containsKey(id)) {
                        queue.addAll(handleWithoutApplyReport(n, storages.get(id), rd));
                        heldApply.merge(id, appliedCursor(rd), Math::max);
                    } else {
                        queue.addAll(handle(n, storages.get(id), rd));
                    }
                }
            }
            if (!moved && queue.isEmpty()) {
                return;
            }
        }
    }

    /** The Readies {@link #stabilize} has handled for node {@code id}, oldest first. */
    List<Ready> handled(long id) {
        return handled.getOrDefault(id, List.of());
    }

    /** Cuts {@code id} off the network (it keeps its state and can still be driven directly). */
    void down(long id) {
        down.add(id);
    }

    void up(long id) {
        down.remove(id);
    }

    /** Ticks every node that is up once. */
    void tickAll() {
        for (Map.Entry<Long, RawNode> e : nodes.entrySet()) {
            if (!down.contains(e.getKey())) {
                e.getValue().tick();
            }
        }
    }

    /** Steps one message into its target; requests the target cannot serve are dropped, as on a network. */
    void deliver(Message m) {
        RawNode to = nodes.get(m.getTo());
        if (to == null || down.contains(m.getTo()) || down.contains(m.getFrom())) {
            return;
        }
        try {
            to.step(m);
        } catch (ProposalDroppedException e) {
            // The sender learns nothing; a real peer would time out and retry.
        }
    }
}
