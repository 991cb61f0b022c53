package io.regionkv.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of the other cluster members a server last saw, kept in its data directory
 * ({@value #FILE_NAME}, one Pekko address a line) so that a restarted server can find its cluster again.
 *
 * <p>Why: a server whose only seed is itself (the node that started the cluster, or one given no
 * {@code --seed}) joins itself at once. After a crash that forms a second cluster next to the one its
 * peers are still in: the Receptionists of the two never meet, the peers' cluster keeps the dead
 * incarnation at that address as an unreachable member until it is downed, and every store that
 * restarts through this node later joins the wrong side. Raft stays safe but the region loses its quorum
 * of reachable peers. With the remembered members added after itself, Pekko's first-seed-node process
 * applies instead: ask the others first, form a new cluster only if none of them answers within
 * {@code pekko.cluster.seed-node-timeout} (the whole cluster was down).
 *
 * <p>The file is a hint, not data: it is replaced atomically but not fsynced, and a missing or damaged
 * file only means the server falls back to the seeds it was given.
 */
final class KnownMembers {

    static final String FILE_NAME = "cluster-members";

    private static final Logger LOG = LoggerFactory.getLogger(KnownMembers.class);

    private KnownMembers() {}

    /** The remembered addresses in {@code dataDir}; empty when there are none. Unparsable lines are skipped. */
    static List<Address> read(Path dataDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve(FILE_NAME), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            LOG.warn("cannot read remembered cluster members in {}: {}", dataDir, e.toString());
            return List.of();
        }
        List<Address> addresses = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (s.isEmpty()) continue;
            try {
                Address a = AddressFromURIString.parse(s);
                if (a.host().isDefined() && a.port().isDefined()) {
                    addresses.add(a);
                    continue;
                }
            } catch (Exception e) {
                // fall through: reported below (Pekko throws MalformedURLException, undeclared)
            }
            LOG.warn("ignoring '{}' in {}: not a remote Pekko address", s, dataDir.resolve(FILE_NAME));
        }
        return List.copyOf(addresses);
    }

    /** Replaces the remembered addresses with {@code addresses} (write to a temporary file, then rename). */
    static void write(Path dataDir, Set<Address> addresses) throws IOException {
        Files.createDirectories(dataDir);
        StringBuilder text = new StringBuilder();
        for (Address a : addresses) text.append(a).append('\n');
        Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, dataDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The seed nodes to join: the given ones (or this node alone when none are given), then the remembered
     * members not already listed. The order matters to Pekko: only when this node comes first may it form
     * a new cluster, and then only after none of the others answered.
     */
    static List<Address> seeds(List<Address> given, Address self, List<Address> remembered) {
        Set<Address> seeds = new LinkedHashSet<>(given.isEmpty() ? List.of(self) : given);
        for (Address a : remembered) {
            if (!a.equals(self)) seeds.add(a);
        }
        return List.copyOf(seeds);
    }

    /**
     * Keeps {@value #FILE_NAME} in {@code dataDir} equal to the current members other than this node. Runs
     * on the I/O dispatcher (it writes a file); membership changes are rare, so it writes rarely.
     *
     * <p>The membership is rebuilt from the events themselves: {@code Cluster.state()} is updated by
     * another subscriber and may still lag behind the event being handled.
     */
    static Behavior<ClusterEvent.MemberEvent> recorder(Path dataDir) {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            UniqueAddress self = cluster.selfMember().uniqueAddress();
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberEvent.class));
            Map<UniqueAddress, Member> members = new HashMap<>();
            Set<Address> written = sortedSet();
            written.addAll(read(dataDir));
            return Behaviors.receiveMessage(event -> {
                Member m = event.member();
                if (event instanceof ClusterEvent.MemberRemoved) {
                    members.remove(m.uniqueAddress());
                } else {
                    members.put(m.uniqueAddress(), m);
                }
                Member me = members.get(self);
                if (me == null || (me.status() != MemberStatus.up() && me.status() != MemberStatus.weaklyUp())) {
                    // Not yet in, or on the way out: a leaving node's view shrinks to itself, and writing
                    // that would make its next start form a cluster of its own.
                    return Behaviors.same();
                }
                Set<Address> now = sortedSet();
                for (Member other : members.values()) {
                    if (!other.address().equals(self.address())) now.add(other.address());
                }
                if (now.equals(written)) return Behaviors.same();
                try {
                    write(dataDir, now);
                    written.clear();
                    written.addAll(now);
                } catch (IOException e) {
                    LOG.warn("cannot remember cluster members in {}: {}", dataDir, e.toString());
                }
                return Behaviors.same();
            });
        });
    }

    private static Set<Address> sortedSet() {
        return new TreeSet<>(Comparator.comparing(Address::toString));
    }
}
