package io.regionkv.server;

import io.regionkv.RegionKvNode;
import io.regionkv.store.PeerStatus;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a server's start goes, in milliseconds since its JVM started: the actor system up, the store
 * started, the gRPC and HTTP endpoints bound, an Up cluster member (the join runs meanwhile, from the
 * actor system's start), and every region of the store knowing its leader (the store can serve).
 * Logged as one line, so that a slow restart can be read from the log: which step took the time.
 */
final class StartupTimeline {

    private static final Logger LOG = LoggerFactory.getLogger(StartupTimeline.class);

    private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final StringBuilder marks = new StringBuilder();

    /** Milliseconds since the JVM started. */
    long sinceJvmStart() {
        return System.currentTimeMillis() - jvmStartMillis;
    }

    void mark(String step) {
        if (marks.length() > 0) marks.append(", ");
        marks.append(step).append(' ').append(sinceJvmStart()).append(" ms");
    }

    /**
     * On a daemon thread (the caller goes on at once): waits until every region of the store knows a
     * leader, marks it and logs the timeline. Gives up quietly after {@code timeoutMillis}: a region may
     * lack a quorum for long, and the timeline is a diagnostic, not a condition.
     */
    void logOnceLeadersKnown(long storeId, Optional<RegionKvNode> node, long timeoutMillis) {
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (node.isPresent() && System.nanoTime() < deadline) {
                try {
                    List<PeerStatus> peers = node.get().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
                    if (!peers.isEmpty() && peers.stream().allMatch(p -> p.leader() != null)) {
                        mark("leaders known");
                        break;
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the store is busy or stopping: ask again until the deadline
                }
            }
            LOG.info("store {} startup since JVM start: {}", storeId, marks);
        }, "regionkv-startup-timeline");
        t.setDaemon(true);
        t.start();
    }
}
