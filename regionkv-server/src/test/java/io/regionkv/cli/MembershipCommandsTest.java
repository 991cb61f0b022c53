package io.regionkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.regionkv.api.ApiServer;
import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import io.regionkv.RegionKvNode;
import io.regionkv.testkit.ClusterSystems;
import io.regionkv.testkit.TestCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The membership admin calls (TransferLeader, AddPeer, RemovePeer) through {@code regionkv
 * transfer-leader|add-peer|remove-peer} and the gRPC stub, on three stores holding one region. The API
 * server runs on the client node of an in-process cluster, which holds no store: every call is forwarded.
 * Effects are checked as an operator would, through {@code regions} / ListRegions.
 */
class MembershipCommandsTest {

    private static final long R = RegionKvNode.FIRST_REGION_ID;
    private static final Duration T = Duration.ofSeconds(60);

    private record Run(int code, String out, String err) {}

    @Test
    void transferLeaderRemovePeerAndAddPeerFromTheCommandLine() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Options.of("membership-commands").withNodes(3)
                .withClientTimeout(Duration.ofSeconds(10))
                .withConfig(String.join("\n", "regionkv.scheduler.region-heartbeat-interval = 200ms",
                        "regionkv.scheduler.store-heartbeat-interval = 200ms")));
             ApiServer api = ApiServer.start(cluster.clientSystem(), cluster.schedulerClient(1), cluster.scheduler(),
                     cluster.storeIds(), "127.0.0.1", 0, List.of())) {
            String endpoint = "127.0.0.1:" + api.port();
            ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
            try {
                RegionKvStub stub = new RegionKvStub(channel, Duration.ofSeconds(30));
                RegionInfo first = awaitRegion(stub, "region " + R + " listed with a leader and 3 voters",
                        i -> i.hasLeader() && voters(i.getRegion()) == 3);
                long oldLeader = first.getLeader().getStoreId();
                long target = oldLeader % 3 + 1;

                // transfer-leader: `regions` names the new leader's store.
                assertEquals(new Run(0, "OK\n", ""), cli("transfer-leader", "--endpoints", endpoint, "--timeout", "30s",
                        Long.toString(R), Long.toString(target)));
                ClusterSystems.awaitCondition("regions shows the leader on store " + target, T,
                        () -> regionLine(endpoint).contains(" leader=" + peerOn(first.getRegion(), target).getId()
                                + "@" + target));

                // remove-peer of a follower: the region has two voters, none on that store.
                long removed = target % 3 + 1;
                assertNotEquals(target, removed);
                assertEquals(new Run(0, "OK\n", ""), cli("remove-peer", "--endpoints", endpoint, "--timeout", "30s",
                        Long.toString(R), Long.toString(removed)));
                awaitRegion(stub, "store " + removed + "'s replica removed", i -> voters(i.getRegion()) == 2
                        && find(i.getRegion(), removed).isEmpty());
                assertEquals(List.of(), peerStores(regionLine(endpoint)).stream().filter(st -> st == removed).toList());

                // add-peer back: a new peer (new id) joins as a learner and is promoted to voter.
                assertEquals(new Run(0, "OK\n", ""), cli("add-peer", "--endpoints", endpoint, "--timeout", "30s",
                        Long.toString(R), Long.toString(removed)));
                RegionInfo back = awaitRegion(stub, "store " + removed + "'s new replica promoted",
                        i -> voters(i.getRegion()) == 3 && find(i.getRegion(), removed)
                                .map(p -> p.getRole() == PeerRole.Voter).orElse(false));
                assertNotEquals(peerOn(first.getRegion(), removed).getId(), peerOn(back.getRegion(), removed).getId(),
                        "a peer id is never reused");
                String line = regionLine(endpoint);
                assertTrue(peerStores(line).contains(removed), line);

                // Refusals of the cluster: exit 1 with ERR on standard error, nothing on standard output.
                Run noPeer = cli("remove-peer", "--endpoints", endpoint, "--timeout", "30s", Long.toString(R), "99");
                assertEquals(1, noPeer.code(), noPeer.toString());
                assertEquals("", noPeer.out());
                assertTrue(noPeer.err().startsWith("ERR "), noPeer.err());
                // An unknown region is looked for in the scheduler's directory until the node's client
                // deadline (10 s here), which ends before the command line's own.
                Run noRegion = cli("transfer-leader", "--endpoints", endpoint, "--timeout", "30s", "999", "1");
                assertEquals(1, noRegion.code(), noRegion.toString());
                assertEquals("", noRegion.out());
                assertTrue(noRegion.err().startsWith("ERR ") && noRegion.err().contains("999"), noRegion.err());

                // Ids that cannot name anything are refused at the door, before any search.
                StatusRuntimeException zero = assertThrows(StatusRuntimeException.class,
                        () -> stub.transferLeader(TransferLeaderRequest.newBuilder().setStoreId(1).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, zero.getStatus().getCode());
                StatusRuntimeException huge = assertThrows(StatusRuntimeException.class,
                        () -> stub.addPeer(AddPeerRequest.newBuilder().setRegionId(R).setStoreId(-1).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, huge.getStatus().getCode());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void badUsageExitsTwoAndEveryCommandHasHelp() {
        String e = "127.0.0.1:1"; // never called: usage is checked first
        for (String command : List.of("transfer-leader", "add-peer", "remove-peer")) {
            Run help = cli(command, "--help");
            assertEquals(0, help.code(), help.toString());
            assertTrue(help.out().contains("REGION") && help.out().contains("STORE"), help.out());
            assertEquals(2, cli(command, "--endpoints", e, "1").code(), command + " without STORE");
            assertEquals(2, cli(command, "--endpoints", e, "1", "2", "3").code(), command + " with an extra");
            assertEquals(2, cli(command, "--endpoints", e, "x", "2").code(), command + " with a non-number");
            Run zero = cli(command, "--endpoints", e, "0", "2");
            assertEquals(2, zero.code(), zero.toString());
            assertTrue(zero.err().contains("REGION must be > 0"), zero.err());
            assertEquals(2, cli(command, "--endpoints", e, "1", "-3").code(), command + " with a negative store");
        }
    }

    private static Peer peerOn(Region r, long store) {
        return find(r, store).orElseThrow(() -> new AssertionError("no peer on store " + store + ": " + r));
    }

    private static Optional<Peer> find(Region r, long store) {
        return r.getPeersList().stream().filter(p -> p.getStoreId() == store).findFirst();
    }

    private static long voters(Region r) {
        return r.getPeersList().stream().filter(p -> p.getRole() == PeerRole.Voter).count();
    }

    private static RegionInfo awaitRegion(RegionKvStub stub, String what, Predicate<RegionInfo> ok) {
        RegionInfo[] found = new RegionInfo[1];
        ClusterSystems.awaitCondition(what, T, () -> {
            List<RegionInfo> regions;
            try {
                regions = stub.listRegions(ListRegionsRequest.getDefaultInstance()).getRegionsList();
            } catch (StatusRuntimeException e) {
                // Right after the start the client node may not know the stores yet: nothing to list.
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) throw e;
                return false;
            }
            for (RegionInfo i : regions) {
                if (i.getRegion().getId() == R && ok.test(i)) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Region R's line of {@code regionkv regions}. */
    private static String regionLine(String endpoint) {
        Run regions = cli("regions", "--endpoints", endpoint);
        assertEquals(0, regions.code(), regions.toString());
        return regions.out().lines().filter(l -> l.startsWith("region " + R + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("region " + R + " not listed: " + regions.out()));
    }

    /** The stores of the {@code peers a@s,b@t} part of a {@code regions} line. */
    private static List<Long> peerStores(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" peers (\\S+) ").matcher(line);
        assertTrue(m.find(), line);
        return java.util.Arrays.stream(m.group(1).split(",")).map(p -> Long.parseLong(p.substring(p.indexOf('@') + 1)))
                .toList();
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
