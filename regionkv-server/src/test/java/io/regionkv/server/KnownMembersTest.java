package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.regionkv.testkit.TempDirs;
import io.regionkv.testkit.ClusterSystems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The members a server remembers in its data directory, and a restart that rejoins through them. */
class KnownMembersTest {

    private static final Address SELF = AddressFromURIString.parse("pekko://regionkv@127.0.0.1:2551");
    private static final Address B = AddressFromURIString.parse("pekko://regionkv@127.0.0.1:2552");
    private static final Address C = AddressFromURIString.parse("pekko://regionkv@127.0.0.1:2553");

    private final List<ActorSystem<?>> systems = new ArrayList<>();
    private Path data;

    @AfterEach
    void stop() {
        ClusterSystems.terminate(systems);
        TempDirs.deleteTree(data);
    }

    @Test
    void seedsPutTheGivenOnesFirstAndAddRememberedOnesButNeverSelfTwice() {
        // No --seed: this node first (it may form a cluster, but only after asking the others).
        assertEquals(List.of(SELF, B, C), KnownMembers.seeds(List.of(), SELF, List.of(B, SELF, C)));
        // Fresh node, nothing remembered: joins itself at once, as before.
        assertEquals(List.of(SELF), KnownMembers.seeds(List.of(), SELF, List.of()));
        assertEquals(List.of(SELF, B), KnownMembers.seeds(List.of(SELF), SELF, List.of(B)));
        // Given seeds keep their order; a remembered one already given is not repeated.
        assertEquals(List.of(C, B), KnownMembers.seeds(List.of(C), SELF, List.of(B, C)));
    }

    @Test
    void writtenAddressesReadBackAndDamagedLinesAreSkipped(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), KnownMembers.read(dir), "no file: nothing remembered");
        KnownMembers.write(dir.resolve("sub"), new LinkedHashSet<>(List.of(B, C)));
        assertEquals(List.of(B, C), KnownMembers.read(dir.resolve("sub")));
        Files.writeString(dir.resolve(KnownMembers.FILE_NAME),
                "garbage\n\n" + B + "\npekko://regionkv\n" + C + "\n", StandardCharsets.UTF_8);
        assertEquals(List.of(B, C), KnownMembers.read(dir));
    }

    /**
     * The crash this guards against: a server whose only seed is itself restarts on its old address. It
     * must rejoin the node it remembers, not form a second cluster of its own.
     */
    @Test
    void aRestartedServerWithoutOtherSeedsRejoinsTheMembersItRemembers() throws Exception {
        data = Files.createTempDirectory("regionkv-known-members-restart");
        Config base = ClusterSystems.nodeConfig();
        ActorSystem<Void> first = start(new ServerOptions(1, data.resolve("s1"), "127.0.0.1", 0, List.of(), List.of(1L)),
                base);
        Address firstAddress = Cluster.get(first).selfMember().address();
        HostPort firstSeed = new HostPort("127.0.0.1", firstAddress.getPort().get());
        ActorSystem<Void> second = start(new ServerOptions(2, data.resolve("s2"), "127.0.0.1", 0,
                List.of(firstSeed), List.of()), base);
        Address secondAddress = Cluster.get(second).selfMember().address();
        ClusterSystems.awaitUp(List.of(first, second), Duration.ofSeconds(30));
        ClusterSystems.awaitCondition("store 1 remembers store 2", Duration.ofSeconds(10),
                () -> KnownMembers.read(data.resolve("s1")).contains(secondAddress));
        ClusterSystems.awaitCondition("store 2 remembers store 1", Duration.ofSeconds(10),
                () -> KnownMembers.read(data.resolve("s2")).contains(firstAddress));

        ClusterSystems.terminate(List.of(first));
        systems.remove(first);
        ClusterSystems.awaitCondition("store 1 gone", Duration.ofSeconds(30),
                () -> members(second).stream().noneMatch(m -> m.address().equals(firstAddress)));
        // Same port, same data, and still no seed but itself.
        ActorSystem<Void> restarted = start(new ServerOptions(1, data.resolve("s1"), "127.0.0.1",
                firstAddress.getPort().get(), List.of(), List.of(1L)), base);
        ClusterSystems.awaitCondition("restarted store 1 Up in store 2's cluster", Duration.ofSeconds(30),
                () -> members(second).stream().anyMatch(m -> m.address().equals(firstAddress)
                        && m.status() == MemberStatus.up()));
        // Store 2 (the cluster's leader) marks the joiner Up before its gossip reaches the joiner, so the
        // joiner's own view is waited for too (a node that formed a cluster of its own never sees store 2).
        ClusterSystems.awaitCondition("the restarted node sees store 2", Duration.ofSeconds(30),
                () -> members(restarted).stream().anyMatch(m -> m.address().equals(secondAddress)));
    }

    private ActorSystem<Void> start(ServerOptions options, Config base) {
        ActorSystem<Void> s = ServerCommand.start(options, base);
        systems.add(s);
        return s;
    }

    private static List<Member> members(ActorSystem<?> system) {
        List<Member> list = new ArrayList<>();
        Cluster.get(system).state().getMembers().forEach(list::add);
        return list;
    }
}
