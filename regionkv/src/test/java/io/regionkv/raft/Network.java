package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory network of raft nodes with ids 1..n (TinyKV's and etcd's test network). {@link #send}
 * delivers messages, and everything they cause, until the network is quiet. After each step the node's
 * new entries are persisted into its {@link MemoryStorage} at once (a synchronous fsync), so leaders
 * commit as in the classic tests.
 *
 * <p>Faults: {@link #drop}, {@link #cut}, {@link #isolate}, {@link #ignore}, {@link #recover}, and an
 * optional {@link #msgHook}. Drops draw from a Random seeded with {@link RaftTestUtil#SEED}.
 */
final class Network {
    /** A peer that swallows every message (TinyKV's nopStepper). */
    static final Object NOP = new Object() {
        @Override
        public String toString() {
            return "NOP";
        }
    };

    private record Connection(long from, long to) {}

    private final Map<Long, Raft> peers = new LinkedHashMap<>();
    private final Set<Long> blackHoles = new HashSet<>();
    private final Map<Long, MemoryStorage> storage = new HashMap<>();
    private final Map<Connection, Double> dropm = new HashMap<>();
    private final Set<MessageType> ignorem = new HashSet<>();
    private final Random random;
    private final int size;
    /** Called for each message sent; return false to drop it. */
    Predicate<Message> msgHook;

    /**
     * Builds a network from peers given in id order: {@code null} makes a fresh node with a new
     * MemoryStorage and peers 1..n, a {@link Raft} is used as is (its id must match its position), and
     * {@link #NOP} is a black hole.
     */
    static Network of(Object... peers) {
        return withConfig(null, peers);
    }

    /** Like {@link #of}, calling {@code configFunc} on the config of every node it creates. */
    static Network withConfig(Consumer<Config.Builder> configFunc, Object... peers) {
        return new Network(configFunc, RaftTestUtil.SEED, peers);
    }

    private Network(Consumer<Config.Builder> configFunc, long seed, Object... nodes) {
        this.random = new Random(seed);
        this.size = nodes.length;
        long[] ids = RaftTestUtil.idsBySize(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            long id = ids[i];
            Object p = nodes[i];
            if (p == null) {
                MemoryStorage s = new MemoryStorage();
                Raft r = RaftTestUtil.newTestRaft(id, ids, 10, 1, s, configFunc);
                peers.put(id, r);
                storage.put(id, s);
            } else if (p instanceof Raft r) {
                if (r.id != id) {
                    throw new IllegalArgumentException("raft at position " + id + " has id " + r.id);
                }
                peers.put(id, r);
                if (r.raftLog.storage instanceof MemoryStorage s) {
                    storage.put(id, s);
                }
            } else if (p == NOP) {
                blackHoles.add(id);
            } else {
                throw new IllegalArgumentException("unexpected peer " + p);
            }
        }
    }

    Raft raft(long id) {
        Raft r = peers.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no raft node " + id + (blackHoles.contains(id) ? " (black hole)" : ""));
        }
        return r;
    }

    /** The raft nodes (black holes excluded), by id. */
    Map<Long, Raft> peers() {
        return peers;
    }

    MemoryStorage storage(long id) {
        return storage.get(id);
    }

    void send(Message... msgs) {
        send(Arrays.asList(msgs));
    }

    void send(List<Message> msgs) {
        ArrayDeque<Message> queue = new ArrayDeque<>(msgs);
        while (!queue.isEmpty()) {
            Message m = queue.pollFirst();
            Raft p = peers.get(m.getTo());
            if (p == null) {
                continue;
            }
            try {
                p.step(m);
            } catch (ProposalDroppedException e) {
                // Like the Go tests, which ignore Step's error.
            }
            if (p.raftLog.storage instanceof MemoryStorage) {
                RaftTestUtil.persist(p);
            }
            queue.addAll(filter(RaftTestUtil.readMessages(p)));
        }
    }

    void drop(long from, long to, double perc) {
        dropm.put(new Connection(from, to), perc);
    }

    void cut(long one, long other) {
        drop(one, other, 2.0);
        drop(other, one, 2.0);
    }

    void isolate(long id) {
        for (long nid = 1; nid <= size; nid++) {
            if (nid != id) {
                drop(id, nid, 1.0);
                drop(nid, id, 1.0);
            }
        }
    }

    void ignore(MessageType t) {
        ignorem.add(t);
    }

    void recover() {
        dropm.clear();
        ignorem.clear();
    }

    List<Message> filter(List<Message> msgs) {
        List<Message> out = new java.util.ArrayList<>(msgs.size());
        for (Message m : msgs) {
            if (ignorem.contains(m.getMsgType())) {
                continue;
            }
            if (m.getMsgType() == MessageType.MsgHup) {
                throw new IllegalStateException("MsgHup never goes over the network");
            }
            Double perc = dropm.get(new Connection(m.getFrom(), m.getTo()));
            if (perc != null && random.nextDouble() < perc) {
                continue;
            }
            if (msgHook != null && !msgHook.test(m)) {
                continue;
            }
            out.add(m);
        }
        return out;
    }
}
