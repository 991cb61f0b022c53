package io.regionkv.bench;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import io.regionkv.raft.Config;
import io.regionkv.raft.MemoryStorage;
import io.regionkv.raft.RawNode;
import io.regionkv.raft.Ready;
import io.regionkv.raft.StateType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Entries committed per second through a three-node raft group in one thread: RawNodes over
 * MemoryStorage, messages handed from node to node in process, no I/O. One operation is one entry: an
 * invocation proposes {@value #BATCH} entries of {@value #ENTRY_BYTES} bytes in one {@code propose(List)}
 * on the leader, then runs every node's Ready cycle (persist into its MemoryStorage, send, apply,
 * advance, advanceApply) and delivers messages until the leader has applied the whole batch. Followers
 * replicate and acknowledge everything, so the figure covers the full round trip of the core.
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Dbench=RaftCoreBenchmark -Djmh.args="-f 1 -wi 3 -i 5"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RaftCoreBenchmark {
    static final int BATCH = 256;
    static final int ENTRY_BYTES = 64;
    private static final long BOOTSTRAP_INDEX = 5;
    /** Logs are compacted once they hold this many entries, so memory stays flat over a long run. */
    private static final long COMPACT_AFTER = 64 * 1024;

    private final List<ByteString> batch = new ArrayList<>(BATCH);
    private Node[] nodes;
    private Node leader;
    private final ArrayDeque<Message> network = new ArrayDeque<>();

    /** One member of the group: raft node, its "disk", and what it has applied. */
    private static final class Node {
        final long id;
        final MemoryStorage storage = new MemoryStorage();
        final RawNode raw;
        long applied;
        long appliedEntries;

        Node(long id, ConfState voters) {
            this.id = id;
            storage.applySnapshot(Snapshot.newBuilder()
                    .setMetadata(SnapshotMetadata.newBuilder().setIndex(BOOTSTRAP_INDEX).setTerm(BOOTSTRAP_INDEX)
                            .setConfState(voters))
                    .build());
            storage.setHardState(HardState.newBuilder().setTerm(BOOTSTRAP_INDEX).setCommit(BOOTSTRAP_INDEX).build());
            raw = new RawNode(Config.builder().id(id).storage(storage).applied(BOOTSTRAP_INDEX).build());
            applied = BOOTSTRAP_INDEX;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        ConfState voters = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
        nodes = new Node[] {new Node(1, voters), new Node(2, voters), new Node(3, voters)};
        byte[] payload = new byte[ENTRY_BYTES];
        for (int i = 0; i < BATCH; i++) {
            payload[0] = (byte) i;
            batch.add(ByteString.copyFrom(payload));
        }
        nodes[0].raw.campaign();
        runUntilQuiet();
        if (nodes[0].raw.status().softState().state() != StateType.LEADER) {
            throw new IllegalStateException("node 1 did not become leader: " + nodes[0].raw.status());
        }
        leader = nodes[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long commitBatch() {
        long target = leader.appliedEntries + BATCH;
        leader.raw.propose(batch);
        runUntilQuiet();
        if (leader.appliedEntries < target) {
            throw new IllegalStateException("batch not applied on the leader: " + leader.appliedEntries + " < " + target);
        }
        return leader.appliedEntries;
    }

    /** Runs every node's Ready cycle and delivers every message until nothing is left to do. */
    private void runUntilQuiet() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Node n : nodes) {
                while (n.raw.hasReady()) {
                    handleReady(n);
                    moved = true;
                }
            }
            Message m;
            while ((m = network.pollFirst()) != null) {
                nodes[(int) m.getTo() - 1].raw.step(m);
                moved = true;
            }
        }
    }

    private void handleReady(Node n) {
        Ready rd = n.raw.ready();
        network.addAll(rd.messages());
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
        }
        n.storage.append(rd.entries());
        if (rd.hardState() != null) {
            n.storage.setHardState(rd.hardState());
        }
        network.addAll(rd.persistedMessages());
        List<Entry> committed = rd.committedEntries();
        n.raw.advance(rd);
        if (!committed.isEmpty()) {
            for (Entry e : committed) {
                if (!e.getData().isEmpty()) {
                    n.appliedEntries++;
                }
            }
            n.applied = committed.get(committed.size() - 1).getIndex();
            n.raw.advanceApply(n.applied);
            if (n.applied - n.storage.firstIndex() >= COMPACT_AFTER) {
                n.storage.createSnapshot(n.applied, null, ByteString.EMPTY);
                n.storage.compact(n.applied);
            }
        }
    }
}
