package io.regionkv.bench;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.Keys;
import io.regionkv.engine.WriteBatch;
import io.regionkv.engine.raftlog.LogOp;
import io.regionkv.engine.raftlog.RaftLogEngine;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.RaftServerpb.RaftLocalState;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One synced raft-log commit in the two layouts: the raft environment's LMDB B-tree keyed by region and
 * index ({@code lmdb}), and the store-wide append-only {@link RaftLogEngine} ({@code appendlog}). Each
 * invocation commits 64 entries of 350 bytes with each written region's raft state: as one write from one
 * region, or as 8 writes of 8 entries from 12 regions taken in turn, the shapes the raft-log writer sees at
 * one and at 12 regions under load. Log GC runs as the store's does: a region holding more than 2,000
 * entries drops its oldest 1,000; the append log also rewrites and purges every 500 commits, keeping 4
 * segments of 16 MiB.
 *
 * <p>The score is commits per second on one thread, fsync included. The {@code cpuMicros} counter is the
 * measuring thread's CPU time; divided by the commits it is the CPU a commit costs the writer's thread.
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Dbench=RaftLogLayoutBenchmark -Djmh.args="-f 1 -wi 2 -i 3"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class RaftLogLayoutBenchmark {
    private static final int ENTRY_BYTES = 350;
    private static final int ENTRIES_PER_COMMIT = 64;
    private static final int GC_ABOVE = 2000;
    private static final int GC_DROP = 1000;

    @Param({"lmdb", "appendlog"})
    public String layout;

    @Param({"1", "12"})
    public int regions;

    private Path dir;
    private Engine lmdb;
    private RaftLogEngine appendLog;
    private long[] first;
    private long[] next;
    private int turn;
    private long commits;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ByteString payload = ByteString.copyFrom(new byte[ENTRY_BYTES - 8]);

    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu {
        public long cpuMicros;
        public long commitsDone;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("raft-log-layout-bench");
        if (layout.equals("lmdb")) {
            lmdb = Engine.open(EngineKind.RAFT, dir, EngineConfig.defaults());
        } else {
            appendLog = RaftLogEngine.open(dir, 16 << 20);
        }
        first = new long[regions];
        next = new long[regions];
        java.util.Arrays.fill(first, 1);
        java.util.Arrays.fill(next, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (lmdb != null) lmdb.close();
        if (appendLog != null) appendLog.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public void commit(Cpu cpu) {
        long started = threads.getCurrentThreadCpuTime();
        int writes = regions == 1 ? 1 : 8;
        int perWrite = ENTRIES_PER_COMMIT / writes;
        List<WriteBatch> group = new ArrayList<>(writes);
        List<LogOp> ops = new ArrayList<>(writes * 3);
        for (int w = 0; w < writes; w++) {
            int r = turn++ % regions;
            long region = r + 1;
            List<Entry> entries = new ArrayList<>(perWrite);
            for (int i = 0; i < perWrite; i++) {
                entries.add(Entry.newBuilder().setTerm(1).setIndex(next[r]++).setData(payload).build());
            }
            RaftLocalState state = RaftLocalState.newBuilder().setLastIndex(next[r] - 1).setLastTerm(1)
                    .setHardState(HardState.newBuilder().setTerm(1).setCommit(next[r] - 2)).build();
            boolean gc = next[r] - first[r] > GC_ABOVE;
            if (lmdb != null) {
                WriteBatch batch = new WriteBatch();
                for (Entry e : entries) batch.put(Db.RAFT, Keys.raftLogKey(region, e.getIndex()), e);
                batch.put(Db.RAFT, Keys.raftStateKey(region), state);
                if (gc) batch.deleteRange(Db.RAFT, Keys.raftLogSpan(region, first[r], first[r] + GC_DROP));
                group.add(batch);
            } else {
                ops.add(new LogOp.Append(region, entries));
                ops.add(new LogOp.State(region, state));
                if (gc) ops.add(new LogOp.Compact(region, first[r] + GC_DROP));
            }
            if (gc) first[r] += GC_DROP;
        }
        if (lmdb != null) {
            lmdb.commitAll(group);
        } else {
            appendLog.write(ops);
            appendLog.sync();
            if (++commits % 500 == 0) appendLog.rewriteAndPurge(4);
        }
        cpu.commitsDone++;
        cpu.cpuMicros += (threads.getCurrentThreadCpuTime() - started) / 1000;
    }
}
