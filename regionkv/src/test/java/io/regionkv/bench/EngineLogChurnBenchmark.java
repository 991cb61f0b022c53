package io.regionkv.bench;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.EngineConfig;
import io.regionkv.engine.EngineKind;
import io.regionkv.engine.Keys;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Eraftpb.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU a writer spends on one raft-log entry's life, without the disk: each invocation appends
 * {@link #ENTRIES} entries of one region in one commit and deletes as many of the oldest with a range delete
 * (log GC), as the raft-log writer does under steady load. No fsync ({@code sync-on-commit} off), so what is
 * measured is the LMDB call path (lmdbjava's per-call overhead included), which {@link EngineCommitBenchmark}
 * hides behind its fsync. Reported per entry .
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Dbench=EngineLogChurnBenchmark -Djmh.args="-f 1 -wi 2 -i 3"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class EngineLogChurnBenchmark {
    /** Entries appended (and as many deleted) per commit; also the operations per invocation below. */
    private static final int ENTRIES = 64;

    private static final long REGION = 1;
    /** Entries kept in the log between the deleted head and the appended tail. */
    private static final long KEPT = 1000;

    private Path dir;
    private Engine raft;
    private long next;
    private final ByteString payload = ByteString.copyFrom(new byte[RaftLogWriterBenchmark.PAYLOAD_BYTES]);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("engine-churn-bench");
        raft = Engine.open(EngineKind.RAFT, dir, EngineConfig.defaults().withSyncOnCommit(false));
        WriteBatch fill = new WriteBatch();
        for (next = 1; next <= KEPT; next++) {
            fill.put(Db.RAFT, Keys.raftLogKey(REGION, next), entry(next));
        }
        raft.commit(fill);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        raft.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private Entry entry(long index) {
        return Entry.newBuilder().setTerm(1).setIndex(index).setData(payload).build();
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public long appendAndTruncate() {
        WriteBatch batch = new WriteBatch();
        long first = next - KEPT;
        for (int i = 0; i < ENTRIES; i++, next++) {
            batch.put(Db.RAFT, Keys.raftLogKey(REGION, next), entry(next));
        }
        batch.deleteRange(Db.RAFT, Keys.raftLogKey(REGION, first), Keys.raftLogKey(REGION, first + ENTRIES));
        return raft.commit(batch);
    }
}
