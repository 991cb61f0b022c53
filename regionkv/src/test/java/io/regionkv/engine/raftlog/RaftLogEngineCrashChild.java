package io.regionkv.engine.raftlog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link RaftLogEngineCrashTest} kills: writes the seeded sequence of random batches of
 * {@link LogModel#randomBatch}, each marked with its number in the raft state of region 0, from where the
 * log it opens left off. It syncs every few batches and prints {@code synced N} (N batches durable), and
 * rewrites and purges now and then, until it is killed.
 */
public final class RaftLogEngineCrashChild {
    static final long SEGMENT_BYTES = 16 * 1024;

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        RaftLogEngine engine = RaftLogEngine.open(dir, SEGMENT_BYTES);
        long done = RaftLogEngineCrashTest.batchesIn(engine);
        Batches batches = new Batches(seed);
        batches.skip(done);
        Random pace = new Random(seed ^ done);
        while (true) {
            engine.write(batches.next());
            done++;
            if (pace.nextInt(4) == 0) {
                engine.sync();
                System.out.println("synced " + done);
                System.out.flush();
            }
            if (pace.nextInt(200) == 0) engine.rewriteAndPurge(3);
        }
    }

    /** The seeded sequence of batches, and the model they build, the same in the child and the test. */
    static final class Batches {
        private final Random random;
        final LogModel model = new LogModel();
        private long made;

        Batches(long seed) {
            this.random = new Random(seed);
        }

        List<LogOp> next() {
            List<LogOp> batch = new ArrayList<>(LogModel.randomBatch(model, random, 1 + made / 100));
            made++;
            LogOp marker = new LogOp.State(0, LogModel.state(made, 1));
            model.apply(marker);
            batch.add(marker);
            return batch;
        }

        void skip(long count) {
            while (made < count) next();
        }
    }
}
