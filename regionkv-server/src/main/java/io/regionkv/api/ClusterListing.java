package io.regionkv.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.Store;
import io.regionkv.proto.Metapb.StoreState;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreDirectory;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The regions and stores of the cluster as this node can see them without a scheduler: the key space is
 * walked from the empty key, each step asking every store this node knows which region holds the cursor
 * and moving to that region's end key. Replies can disagree (a lagging replica still holds the region
 * from before a split); the description with the newest epoch wins, because a split or membership change
 * only ever raises it.
 */
final class ClusterListing {

    /** A walk longer than this is a loop (a store answering a region that does not advance the cursor). */
    static final int MAX_REGIONS = 100_000;

    private final ActorSystem<?> system;
    private final StoreDirectory directory;
    private final List<Long> initialStores;
    private final Duration askTimeout;

    ClusterListing(ActorSystem<?> system, List<Long> initialStores, Duration askTimeout) {
        this.system = system;
        this.directory = StoreDirectory.get(system);
        this.initialStores = List.copyOf(initialStores);
        this.askTimeout = askTimeout;
    }

    CompletionStage<List<RegionInfo>> regions() {
        CompletableFuture<List<RegionInfo>> done = new CompletableFuture<>();
        step(ByteString.EMPTY, new ArrayList<>(), done);
        return done;
    }

    /** The stores named by the regions plus those this node has found, with the address each runs at. */
    CompletionStage<List<Store>> stores() {
        return regions().thenApply(regions -> {
            TreeSet<Long> ids = new TreeSet<>(storesToAsk());
            for (RegionInfo r : regions) {
                for (Peer p : r.getRegion().getPeersList()) ids.add(p.getStoreId());
            }
            List<Store> out = new ArrayList<>();
            for (long id : ids) {
                Optional<ActorRef<StoreWire>> ref = directory.lookup(id);
                out.add(Store.newBuilder().setId(id)
                        .setAddress(ref.map(this::addressOf).orElse(""))
                        // Without a scheduler "registered in the cluster" is all that is known of a store.
                        .setState(ref.isPresent() ? StoreState.Up : StoreState.Offline)
                        .build());
            }
            return out;
        });
    }

    /** A local ref's address names no host: this node's own cluster address is the one to show. */
    private String addressOf(ActorRef<?> ref) {
        Address a = ref.path().address();
        return (a.hasLocalScope() ? Cluster.get(system).selfMember().address() : a).toString();
    }

    private TreeSet<Long> storesToAsk() {
        TreeSet<Long> ids = new TreeSet<>(initialStores);
        ids.addAll(directory.knownStores());
        return ids;
    }

    private void step(ByteString cursor, List<RegionInfo> found, CompletableFuture<List<RegionInfo>> done) {
        if (found.size() >= MAX_REGIONS) {
            done.completeExceptionally(new IllegalStateException("more than " + MAX_REGIONS + " regions"));
            return;
        }
        List<CompletableFuture<RegionLookupReply>> asks = new ArrayList<>();
        for (long id : storesToAsk()) {
            directory.lookup(id).ifPresent(ref -> asks.add(AskPattern.<StoreWire, RegionLookupReply>ask(ref,
                    replyTo -> new RegionLookup(cursor, replyTo), askTimeout, system.scheduler())
                    .toCompletableFuture()
                    // A store that does not answer only leaves its view out.
                    .exceptionally(e -> null)));
        }
        CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            try {
                Optional<RegionInfo> next = newest(asks.stream().map(CompletableFuture::join).toList());
                if (next.isEmpty()) {
                    // Not a bug but a moment (the stores are not known or not answering yet): the listing
                    // changed nothing, so it is UNAVAILABLE, which a client may retry, not INTERNAL.
                    done.completeExceptionally(Status.UNAVAILABLE.withDescription("no store answered for the region"
                            + " of key " + KeyRanges.printable(cursor) + " (asked " + asks.size() + " stores)")
                            .asRuntimeException());
                    return;
                }
                found.add(next.get());
                ByteString end = next.get().getRegion().getEndKey();
                if (end.isEmpty()) {
                    done.complete(List.copyOf(found));
                } else if (KeyRanges.compare(end, cursor) <= 0) {
                    done.completeExceptionally(new IllegalStateException("region " + next.get().getRegion().getId()
                            + " ends at " + KeyRanges.printable(end) + ", not after " + KeyRanges.printable(cursor)));
                } else {
                    step(end, found, done);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
    }

    /** The region with the newest epoch among the replies, with a leader any reply for it knows of. */
    static Optional<RegionInfo> newest(List<RegionLookupReply> replies) {
        Region best = null;
        for (RegionLookupReply r : replies) {
            if (r == null || r.region().isEmpty()) continue;
            Region region = r.region().get();
            if (best == null || isNewer(region, best)) best = region;
        }
        if (best == null) return Optional.empty();
        RegionInfo.Builder info = RegionInfo.newBuilder().setRegion(best);
        for (RegionLookupReply r : replies) {
            if (r != null && r.region().isPresent() && r.region().get().equals(best) && r.leader().isPresent()) {
                info.setLeader(r.leader().get());
                break;
            }
        }
        return Optional.of(info.build());
    }

    private static boolean isNewer(Region a, Region b) {
        long av = a.getRegionEpoch().getVersion();
        long bv = b.getRegionEpoch().getVersion();
        if (av != bv) return av > bv;
        return a.getRegionEpoch().getConfVer() > b.getRegionEpoch().getConfVer();
    }
}
