package io.regionkv.engine.raftlog;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * The process {@link AppendLogCrashTest} kills: opens the log, goes on numbering records after the last one
 * it finds, and appends groups of records, printing {@code synced N} after each sync (N the number of
 * records durable so far) until it is killed.
 */
public final class AppendLogCrashChild {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        long[] count = {0};
        AppendLog log = AppendLog.open(dir, Long.parseLong(args[2]), (p, payload) -> count[0]++);
        long next = count[0];
        while (true) {
            int group = 1 + random.nextInt(20);
            for (int i = 0; i < group; i++) {
                log.append(ByteBuffer.wrap(AppendLogCrashTest.payload(next++)));
            }
            log.sync();
            System.out.println("synced " + next);
            System.out.flush();
        }
    }
}
