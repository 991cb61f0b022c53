package io.regionkv.raft;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Helpers for the raft unit tests, shaped after TinyKV's and etcd's test helpers.
 *
 * <p>Test configs switch PreVote and CheckQuorum <b>off</b> (the production defaults are on), like the
 * classic etcd tests; a test that needs them turns them on through a config function.
 *
 * <p>Randomness: every test Raft is seeded from {@link #SEED} (printed once; replay a run with
 * {@code -Draft.seed=N}) mixed with its id, so that the nodes of a group draw different timeouts.
 */
final class RaftTestUtil {
    static final long SEED = Long.getLong("raft.seed", System.nanoTime());

    static {
        System.out.println("raft test seed = " + SEED + " (replay with -Draft.seed=" + SEED + ")");
    }

    private RaftTestUtil() {}

    static long[] idsBySize(int size) {
        long[] ids = new long[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        return ids;
    }

    static Config.Builder newTestConfigBuilder(long id, long[] peers, int election, int heartbeat, Storage storage) {
        return Config.builder()
                .id(id)
                .peers(peers)
                .electionTick(election)
                .heartbeatTick(heartbeat)
                .storage(storage)
                .preVote(false)
                .checkQuorum(false)
                .randomSeed(SEED * 31 + id);
    }

    static Config newTestConfig(long id, long[] peers, int election, int heartbeat, Storage storage) {
        return newTestConfigBuilder(id, peers, election, heartbeat, storage).build();
    }

    static Raft newTestRaft(long id, long[] peers, int election, int heartbeat, Storage storage) {
        return new Raft(newTestConfig(id, peers, election, heartbeat, storage));
    }

    static Raft newTestRaft(long id, long[] peers, int election, int heartbeat, Storage storage,
            Consumer<Config.Builder> configFunc) {
        Config.Builder b = newTestConfigBuilder(id, peers, election, heartbeat, storage);
        if (configFunc != null) {
            configFunc.accept(b);
        }
        return new Raft(b.build());
    }

    /** Takes every message the node produced, the immediate ones first, then those awaiting persistence. */
    static List<Message> readMessages(Raft r) {
        List<Message> out = new ArrayList<>(r.msgs.size() + r.msgsAfterAppend.size());
        out.addAll(r.msgs);
        out.addAll(r.msgsAfterAppend);
        r.msgs.clear();
        r.msgsAfterAppend.clear();
        return out;
    }

    /**
     * Persists the node's unstable snapshot and entries into its {@link MemoryStorage} and reports them
     * persisted, as a synchronous fsync would: a leader then counts itself toward the commit quorum.
     */
    static void persist(Raft r) {
        MemoryStorage s = (MemoryStorage) r.raftLog.storage;
        Snapshot snap = r.raftLog.unstable.snapshot;
        if (snap != null) {
            s.applySnapshot(snap);
        }
        List<Entry> ents = List.copyOf(r.raftLog.unstableEntries());
        s.append(ents);
        s.setHardState(r.hardState());
        r.onPersisted(snap, ents.isEmpty() ? null : ents.get(ents.size() - 1));
    }

    /** Persists, then returns the committed entries not yet applied and marks them applied. */
    static List<Entry> nextEnts(Raft r) {
        persist(r);
        List<Entry> ents = r.raftLog.nextCommittedEnts();
        r.raftLog.appliedTo(r.raftLog.committed);
        return ents;
    }

    static Entry entry(long index, long term) {
        return Entry.newBuilder().setIndex(index).setTerm(term).build();
    }

    static Entry entry(long index, long term, String data) {
        return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8(data)).build();
    }

    static Entry data(String data) {
        return Entry.newBuilder().setData(ByteString.copyFromUtf8(data)).build();
    }

    static MemoryStorage storageWith(Entry... ents) {
        MemoryStorage s = new MemoryStorage();
        s.append(Arrays.asList(ents));
        return s;
    }

    static Message.Builder msg(long from, long to, MessageType type) {
        return Message.newBuilder().setFrom(from).setTo(to).setMsgType(type);
    }

    static Message hup(long id) {
        return msg(id, id, MessageType.MsgHup).build();
    }

    static Message beat(long id) {
        return msg(id, id, MessageType.MsgBeat).build();
    }

    static Message propose(long from, long to, String data) {
        return msg(from, to, MessageType.MsgPropose).addEntries(data(data)).build();
    }

    static Message proposeEmpty(long from, long to) {
        return msg(from, to, MessageType.MsgPropose).addEntries(Entry.getDefaultInstance()).build();
    }

    /** A raft whose storage holds one entry per given term (index i+1 has terms[i]), at the last term. */
    static Raft entsWithConfig(long id, Consumer<Config.Builder> configFunc, long... terms) {
        MemoryStorage storage = new MemoryStorage();
        for (int i = 0; i < terms.length; i++) {
            storage.append(List.of(entry(i + 1, terms[i])));
        }
        Raft r = newTestRaft(id, new long[] {}, 5, 1, storage, configFunc);
        r.becomeFollower(terms[terms.length - 1], Raft.NONE);
        return r;
    }

    /** A raft that voted for {@code vote} in {@code term} but has no log entries. */
    static Raft votedWithConfig(long id, Consumer<Config.Builder> configFunc, long vote, long term) {
        MemoryStorage storage = new MemoryStorage();
        storage.setHardState(HardState.newBuilder().setVote(vote).setTerm(term).build());
        return newTestRaft(id, new long[] {}, 5, 1, storage, configFunc);
    }

    /** A printable summary of a log, for comparing logs across nodes. */
    static String ltoa(RaftLog l) {
        StringBuilder sb = new StringBuilder();
        sb.append("committed: ").append(l.committed).append('\n');
        sb.append("applied: ").append(l.applied).append('\n');
        List<Entry> all = l.allEntries();
        for (int i = 0; i < all.size(); i++) {
            Entry e = all.get(i);
            sb.append('#').append(i).append(": index=").append(e.getIndex()).append(" term=").append(e.getTerm())
                    .append(" type=").append(e.getEntryType()).append(" data=").append(e.getData().toStringUtf8())
                    .append('\n');
        }
        return sb.toString();
    }

    /** Like {@link #ltoa} for an expected log given as committed index and entries. */
    static String ltoa(long committed, long applied, Entry... entries) {
        MemoryStorage s = storageWith(entries);
        RaftLog l = new RaftLog(s, Long.MAX_VALUE);
        l.committed = committed;
        l.applied = applied;
        return ltoa(l);
    }

    /**
     * Makes the leader's empty entry committed and applied: replicates it to every follower, persists it
     * locally, and marks it applied (TinyKV's commitNoopEntry).
     */
    static void commitNoopEntry(Raft r) {
        if (r.state != StateType.LEADER) {
            throw new IllegalStateException("only for leaders");
        }
        for (Progress pr : r.tracker.all()) {
            if (pr.id != r.id) {
                r.sendAppend(pr.id);
            }
        }
        for (Message m : readMessages(r)) {
            if (m.getMsgType() != MessageType.MsgAppend || m.getEntriesCount() != 1
                    || !m.getEntries(0).getData().isEmpty()) {
                throw new IllegalStateException("not a message to append the noop entry: " + m);
            }
            r.step(acceptAndReply(m));
        }
        // Ignore the messages that refresh the followers' commit index.
        readMessages(r);
        persist(r);
        readMessages(r);
        r.raftLog.appliedTo(r.raftLog.committed);
    }

    /** The follower's positive answer to an append. */
    static Message acceptAndReply(Message m) {
        if (m.getMsgType() != MessageType.MsgAppend) {
            throw new IllegalArgumentException("type should be MsgAppend: " + m);
        }
        return msg(m.getTo(), m.getFrom(), MessageType.MsgAppendResponse)
                .setTerm(m.getTerm())
                .setIndex(m.getIndex() + m.getEntriesCount())
                .build();
    }

    /** Messages sorted by destination then type, for order-insensitive comparisons. */
    static List<Message> sorted(List<Message> msgs) {
        List<Message> out = new ArrayList<>(msgs);
        out.sort(Comparator.comparingLong(Message::getTo).thenComparing(Message::getMsgType)
                .thenComparingLong(Message::getFrom));
        return out;
    }

    /** Voter ids of a raft's group, sorted. */
    static List<Long> nodes(Raft r) {
        return r.tracker.voterIds();
    }
}
