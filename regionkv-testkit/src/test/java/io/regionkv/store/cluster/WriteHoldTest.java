package io.regionkv.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.regionkv.client.RegionKvClient;
import io.regionkv.raft.StateType;
import io.regionkv.store.PeerStatus;
import io.regionkv.testkit.RecordedClient;
import io.regionkv.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code regionkv.flow-control.hold-writes-until-commit}: a leader proposes no new write while entries it
 * proposed are uncommitted, and proposes the writes it held once they commit.
 *
 * <p>The region's raft messages are delayed {@value #DELAY_MILLIS} ms each way, so a round takes at least
 * twice that to commit. One write starts a round; more follow while it is out. The leader's status is
 * sampled all along: with the hold, whenever its round is uncommitted, the writes that arrived meanwhile
 * are pending at the leader and its log has not grown past the round. Without it (the second case) the
 * same run shows the log growing past an uncommitted round, which is what makes the first case able to
 * fail. The region is split off the first one, which holds the scheduler's state and must not be slowed.
 */
class WriteHoldTest {

    private static final long DELAY_MILLIS = 300;
    private static final int HELD = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void writesArrivingWhileARoundIsUncommittedAreHeldAndThenProposedTogether() throws Exception {
        Samples s = run("write-hold-on", "on");
        assertTrue(s.pendingDuringRound > 1, "no write reached the leader while its round was uncommitted, so the"
                + " run shows nothing (pending seen during the round: " + s.pendingDuringRound + ")");
        assertEquals(0, s.grewPastUncommittedRound, "the leader's log grew past its uncommitted round "
                + s.grewPastUncommittedRound + " times: it proposed writes it should have held");
    }

    @Test
    void withoutTheHoldTheLogGrowsPastAnUncommittedRound() throws Exception {
        Samples s = run("write-hold-off", "off");
        assertTrue(s.grewPastUncommittedRound > 0, "the log never grew past an uncommitted round with the hold off,"
                + " so the test of the hold could not fail");
    }

    /** What the leader's status showed while the first write's round was uncommitted. */
    private record Samples(int pendingDuringRound, int grewPastUncommittedRound) {}

    private static Samples run(String name, String hold) throws Exception {
        TestCluster.Options o = TestCluster.Options.of(name);
        // A 4 s election timeout: the delayed heartbeats must not make the followers campaign.
        o = new TestCluster.Options(o.testName(), 3, o.raftTick(), (int) (4000 / o.raftTick().toMillis()),
                o.heartbeatTicks(), WAIT, WAIT, ConfigFactory.parseString(
                        "regionkv.flow-control.hold-writes-until-commit = " + hold
                        // No leader may move during the run: a new leader's first entry would grow the log.
                        + "\nregionkv.scheduler.balance-interval = 1h"));
        try (TestCluster cluster = TestCluster.start(o)) {
            RecordedClient writer = cluster.client(1);
            writer.mustPut("a", "1", WAIT);
            RegionKvClient admin = cluster.schedulerClient(99);
            admin.split(RecordedClient.bytes("k")).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long region = cluster.awaitRegionStartingAt(RecordedClient.bytes("k"), WAIT);
            cluster.awaitLeader(region, WAIT);
            writer.mustPut("k0", "0", WAIT); // the client now knows the region and its leader
            PeerStatus leader = awaitSettled(cluster, region);
            long roundIndex = leader.lastIndex() + 1;

            cluster.faults().delayRegion(region, DELAY_MILLIS);
            RegionKvClient client = writer.raw();
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            puts.add(client.put(bytes("k-round"), bytes("r")).toCompletableFuture());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            int pendingDuringRound = 0;
            int grew = 0;
            long lastSend = System.nanoTime();
            while (System.nanoTime() < end) {
                if (sent < HELD && System.nanoTime() - lastSend > TimeUnit.MILLISECONDS.toNanos(30)) {
                    puts.add(client.put(bytes("k-held-" + sent), bytes("h" + sent)).toCompletableFuture());
                    sent++;
                    lastSend = System.nanoTime();
                }
                PeerStatus p = cluster.status(leader.storeId(), region).orElseThrow();
                assertEquals(StateType.LEADER, p.role(), "leadership moved during the run; it shows nothing");
                if (p.lastIndex() >= roundIndex && p.commitIndex() < roundIndex) {
                    pendingDuringRound = Math.max(pendingDuringRound, p.pendingProposals());
                    if (p.lastIndex() > roundIndex) grew++;
                }
                if (p.commitIndex() >= roundIndex && sent == HELD) break;
                Thread.sleep(5);
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            cluster.faults().heal();
            for (int i = 0; i < HELD; i++) {
                assertEquals(Optional.of("h" + i), writer.mustGet("k-held-" + i, WAIT));
            }
            System.out.printf("hold %s: round at index %d; during it up to %d writes pending at the leader, log"
                    + " past the round in %d samples%n", hold, roundIndex, pendingDuringRound, grew);
            return new Samples(pendingDuringRound, grew);
        }
    }

    /** The region's leader once its log is committed to the end and nothing is pending. */
    private static PeerStatus awaitSettled(TestCluster cluster, long region) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PeerStatus> l = cluster.leader(region);
            if (l.isPresent() && l.get().commitIndex() == l.get().lastIndex() && l.get().pendingProposals() == 0) {
                return l.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("region " + region + " did not settle within " + WAIT);
    }

    private static ByteString bytes(String s) {
        return RecordedClient.bytes(s);
    }
}
