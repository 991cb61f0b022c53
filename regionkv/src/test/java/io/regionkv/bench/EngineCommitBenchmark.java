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
 * The ceiling under {@link RaftLogWriterBenchmark}: the same commits straight on the {@link Engine}, no
 * actors. Each invocation commits one group of {@code entries} single-entry batches, one per region, in one
 * synced transaction, which is what the writer does with {@code entries} producers.
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Dbench=EngineCommitBenchmark -Djmh.args="-f 1 -wi 2 -i 3"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class EngineCommitBenchmark {
    @Param({"1", "16", "256"})
    public int entries;

    @Param({"false"})
    public boolean writeMap;

    private Path dir;
    private Engine raft;
    private long[] nextIndex;
    private final ByteString payload = ByteString.copyFrom(new byte[RaftLogWriterBenchmark.PAYLOAD_BYTES]);

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Entries {
        public long entries;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("engine-commit-bench");
        raft = Engine.open(EngineKind.RAFT, dir, EngineConfig.defaults().withWriteMap(writeMap));
        nextIndex = new long[entries];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        raft.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public long commit(Entries counter) {
        List<WriteBatch> group = new ArrayList<>(entries);
        for (int region = 0; region < entries; region++) {
            long index = ++nextIndex[region];
            Entry entry = Entry.newBuilder().setTerm(1).setIndex(index).setData(payload).build();
            group.add(new WriteBatch().put(Db.RAFT, Keys.raftLogKey(region + 1, index), entry));
        }
        counter.entries += entries;
        return raft.commitAll(group);
    }
}
