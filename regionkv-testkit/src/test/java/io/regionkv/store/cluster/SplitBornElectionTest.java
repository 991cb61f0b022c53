package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.RegionKvClient;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A region born of a split elects its leader as soon as a quorum of its stores has applied the split,
 * not an election timeout later.
 *
 * <p>The parent's leader applies the split first and its new peer campaigns at once. Here the followers
 * learn of the split half a second after it (the parent's messages are delayed by that each way, the new
 * region's are not), so the new peer's vote request reaches them while the parent still covers the range
 * there. The parent is itself split off first: the first region holds the scheduler's state, which must
 * not be slowed down. If they dropped it, the candidate would ask again only after its election timeout (4-8 s here);
 * they keep it and hand it to the new peer when the split starts it.
 */
class SplitBornElectionTest {

    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(4);
    /** Below the client's read attempt timeout: the split's own look-up reads through the parent. */
    private static final long PARENT_DELAY_MILLIS = 500;

    @Test
    void theNewRegionHasALeaderSoonAfterItsFollowersApplyTheSplit() throws Exception {
        TestCluster.Options o = TestCluster.Options.of("split-born-election");
        int electionTicks = (int) (ELECTION_TIMEOUT.toMillis() / o.raftTick().toMillis());
        o = new TestCluster.Options(o.testName(), 3, o.raftTick(), electionTicks, o.heartbeatTicks(),
                Duration.ofSeconds(30), Duration.ofSeconds(30), ConfigFactory.empty());
        try (TestCluster cluster = TestCluster.start(o)) {
            RecordedClient writer = cluster.client(1);
            writer.mustPut("a", "1", Duration.ofSeconds(30));
            RegionKvClient admin = cluster.schedulerClient(99);

            ByteString k = RecordedClient.bytes("k");
            admin.split(k).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long parent = cluster.awaitRegionStartingAt(k, Duration.ofSeconds(30));
            cluster.awaitLeader(parent, Duration.ofSeconds(30));
            writer.mustPut("l", "1", Duration.ofSeconds(30));

            cluster.faults().delayRegion(parent, PARENT_DELAY_MILLIS);
            ByteString m = RecordedClient.bytes("m");
            admin.split(m).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long splitApplied = System.nanoTime(); // on the parent's leader; the followers apply it later
            long born = cluster.awaitRegionStartingAt(m, Duration.ofSeconds(10));
            cluster.awaitLeader(born, Duration.ofSeconds(30));
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - splitApplied);
            System.out.printf("split-born region %d had a leader %d ms after its split applied on the parent's "
                    + "leader (followers apply it ~%d ms later; election timeout %s)%n", born, waitedMillis,
                    PARENT_DELAY_MILLIS, ELECTION_TIMEOUT);
            assertTrue(waitedMillis < ELECTION_TIMEOUT.toMillis() - 500, "the new region waited " + waitedMillis
                    + " ms for its first leader: its first vote request was lost, and the candidate waited out its"
                    + " election timeout (" + ELECTION_TIMEOUT + ") to ask again");

            cluster.faults().heal();
            writer.mustPut("p", "2", Duration.ofSeconds(30));
            assertEquals(Optional.of("2"), writer.mustGet("p", Duration.ofSeconds(30)));
        }
    }
}
