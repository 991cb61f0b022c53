package io.regionkv.client;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftRequestHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.scheduler.SchedulerReply;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * One command for the region holding one key, driven to a definite answer or to its deadline: find the
 * region, send to its leader, react to each region error, back off, try again.
 *
 * <p><b>Why writes and reads time out differently.</b> A write that was sent and got no answer may be
 * in the raft log already and be applied later, even after this call has given up. Sending it again
 * could apply it twice, and worse, the second copy could land after another client's later write to
 * the same key and silently undo it, which breaks linearizability. So a write attempt waits for the
 * whole remaining deadline, and if that passes unanswered the call fails with
 * {@link RegionKvTimeoutException#outcomeUnknown()} set and is never resent. A write is resent only
 * after an answer that proves it was not applied (NotLeader, EpochNotMatch, KeyNotInRegion,
 * RegionNotFound, StaleCommand, ServerIsBusy: all refused before or instead of proposing). Reads
 * change nothing, so a read attempt gives up after {@code attemptTimeoutForReads} and is simply tried
 * again, on another peer if the silent one was not known to lead.
 *
 * <p>Not thread-safe, and needs not be: its steps run one after another (each scheduled by the end of
 * the previous one), and the future and scheduler hand-offs order their memory effects.
 */
final class RegionCall {

    enum Kind { READ, WRITE }

    /** The region that answered (as the client knew it then) and its answer. */
    record Result(CachedRegion region, RaftCmdResponse response) {}

    private final ClientContext ctx;
    private final String operation;
    private final ByteString key;
    private final Kind kind;
    private final Function<CachedRegion, List<Request>> requests;
    /** Builds the admin request instead of {@link #requests}, or null for a data command. */
    private final Function<CachedRegion, AdminRequest> admin;
    private final long deadlineNanos;
    private final CompletableFuture<Result> result = new CompletableFuture<>();

    private int retries;
    /** When this call was first told ServerIsBusy (nanoTime), valid once {@link #busySeen}. */
    private long firstBusyNanos;
    private boolean busySeen;
    private String lastError = "none (no attempt finished)";
    /** The store of the previous attempt, so that rotation moves past a silent or unreachable one. */
    private long lastStore;
    /** How many look-up candidates have failed since the last backoff. */
    private int lookupFailuresInRound;
    private int lookupCursor;
    /** Whether this call asked the scheduler already (it asks at most once, then the stores). */
    private boolean askedScheduler;

    /**
     * @param key      the key whose region receives the command
     * @param requests builds the requests for the region found (a scan clips its end to the region)
     */
    RegionCall(ClientContext ctx, String operation, ByteString key, Kind kind,
            Function<CachedRegion, List<Request>> requests, long deadlineNanos) {
        this(ctx, operation, key, kind, requests, null, deadlineNanos);
    }

    /** An admin command (e.g. Split) for the region holding {@code key}, built for the region found. */
    static RegionCall admin(ClientContext ctx, String operation, ByteString key,
            Function<CachedRegion, AdminRequest> admin, long deadlineNanos) {
        return new RegionCall(ctx, operation, key, Kind.WRITE, region -> List.of(), admin, deadlineNanos);
    }

    private RegionCall(ClientContext ctx, String operation, ByteString key, Kind kind,
            Function<CachedRegion, List<Request>> requests, Function<CachedRegion, AdminRequest> admin,
            long deadlineNanos) {
        this.admin = admin;
        this.ctx = ctx;
        this.operation = operation;
        this.key = key;
        this.kind = kind;
        this.requests = requests;
        this.deadlineNanos = deadlineNanos;
    }

    CompletionStage<Result> start() {
        attempt();
        return result;
    }

    private long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    private void attempt() {
        try {
            long remaining = remainingNanos();
            if (remaining <= 0) {
                failTimeout(false);
                return;
            }
            Optional<CachedRegion> region = ctx.cache().find(key);
            if (region.isPresent()) {
                send(region.get());
            } else {
                lookUp(remaining);
            }
        } catch (RuntimeException e) {
            // A bug must fail the call, not leave it hanging until nobody remembers it.
            result.completeExceptionally(e);
        }
    }

    // ---- finding the region ------------------------------------------------------------------------

    /**
     * Who to ask: the configured stores first, then stores that cached regions name, then any store this
     * node has heard of. A store answers only about regions it holds, so a single configured store is
     * not enough once regions live on other stores.
     */
    private List<Long> lookupCandidates() {
        Set<Long> ids = new LinkedHashSet<>(ctx.settings().initialStores());
        for (CachedRegion c : ctx.cache().regions()) {
            for (Peer p : c.region().getPeersList()) ids.add(p.getStoreId());
        }
        ids.addAll(new TreeSet<>(ctx.directory().knownStores()));
        ids.remove(0L);
        return new ArrayList<>(ids);
    }

    private void lookUp(long remainingNanos) {
        // The scheduler's directory first, once per call: it knows every region in one place. It may lag
        // (soft state from heartbeats), so when it cannot help, or its answer led to a region error, the
        // stores (which know their own regions exactly) are asked instead.
        if (!askedScheduler && ctx.schedulerLookup().usable()) {
            askedScheduler = true;
            askScheduler(remainingNanos);
            return;
        }
        List<Long> candidates = lookupCandidates();
        if (candidates.isEmpty()) {
            lastError = "no store to ask which region holds the key (regionkv.client.initial-stores is empty"
                    + " and this node knows no store yet)";
            retry(Duration.ZERO);
            return;
        }
        long storeId = candidates.get(Math.floorMod(lookupCursor, candidates.size()));
        Optional<ActorRef<StoreWire>> store = ctx.directory().lookup(storeId);
        if (store.isEmpty()) {
            lookupFailed(candidates.size(), "store " + storeId + " is not known to this node yet");
            return;
        }
        Duration timeout = Duration.ofNanos(Math.min(ctx.settings().attemptTimeoutForReads().toNanos(), remainingNanos));
        CompletionStage<RegionLookupReply> ask = AskPattern.ask(store.get(),
                (ActorRef<RegionLookupReply> replyTo) -> new RegionLookup(key, replyTo), timeout, ctx.scheduler());
        ask.whenCompleteAsync((reply, error) -> {
            try {
                onLookupReply(storeId, candidates.size(), timeout, reply, error);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, ctx.callbacks());
    }

    private void askScheduler(long remainingNanos) {
        SchedulerLookup lookup = ctx.schedulerLookup();
        Duration timeout = Duration.ofNanos(Math.min(lookup.timeout().toNanos(), remainingNanos));
        lookup.regionFor(key, timeout, ctx.scheduler()).whenCompleteAsync((reply, error) -> {
            try {
                if (error != null) {
                    lookup.silent();
                    lastError = "the scheduler did not answer a region look-up within " + timeout.toMillis() + " ms";
                    attempt();
                    return;
                }
                for (SchedulerReply.RegionInfo info : reply.regions()) {
                    Region r = info.region();
                    if (KeyRanges.inRange(key, r.getStartKey(), r.getEndKey())) {
                        ctx.cache().update(r, info.leader().filter(p -> p.getStoreId() != 0));
                    }
                }
                attempt(); // found in the cache now, or on to the stores
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, ctx.callbacks());
    }

    private void onLookupReply(long storeId, int candidateCount, Duration timeout, RegionLookupReply reply,
            Throwable error) {
        if (error != null) {
            lookupFailed(candidateCount, "region look-up at store " + storeId + " got no answer within "
                    + timeout.toMillis() + " ms");
            return;
        }
        Optional<Region> region = reply.region().filter(r -> KeyRanges.inRange(key, r.getStartKey(), r.getEndKey()));
        if (region.isEmpty()) {
            lookupFailed(candidateCount, "store " + storeId + " holds no region for the key");
            return;
        }
        Optional<Peer> leader = reply.leader().filter(p -> p.getStoreId() != 0);
        if (!ctx.cache().update(region.get(), leader)) {
            // A lagging store; asking it again at once would get the same answer, so move on.
            lookupFailed(candidateCount, "store " + storeId + " described region " + region.get().getId()
                    + " with an older epoch than the client already knows");
            return;
        }
        lookupFailuresInRound = 0;
        attempt();
    }

    /** Tries the next candidate at once; after a whole round of failures, backs off first. */
    private void lookupFailed(int candidateCount, String why) {
        lastError = why;
        lookupCursor++;
        lookupFailuresInRound++;
        if (lookupFailuresInRound < candidateCount) {
            attempt();
        } else {
            lookupFailuresInRound = 0;
            retry(Duration.ZERO);
        }
    }

    // ---- sending the command -----------------------------------------------------------------------

    /** The cached leader; else the region's peers in turn, starting after the store tried last. */
    private Optional<Peer> pickPeer(CachedRegion region) {
        if (region.leader().isPresent()) {
            return region.leader();
        }
        List<Peer> peers = region.region().getPeersList();
        if (peers.isEmpty()) {
            return Optional.empty();
        }
        int last = -1;
        for (int i = 0; i < peers.size(); i++) {
            if (peers.get(i).getStoreId() == lastStore) last = i;
        }
        return Optional.of(peers.get((last + 1) % peers.size()));
    }

    private void send(CachedRegion region) {
        Optional<Peer> peer = pickPeer(region);
        if (peer.isEmpty()) {
            lastError = "region " + region.id() + " has no peers in the description the client has";
            ctx.cache().invalidate(region.id());
            retry(Duration.ZERO);
            return;
        }
        long storeId = peer.get().getStoreId();
        lastStore = storeId;
        Optional<ActorRef<StoreWire>> store = ctx.directory().lookup(storeId);
        if (store.isEmpty()) {
            // Nothing was sent, so even a write may go elsewhere.
            lastError = "store " + storeId + " is not known to this node yet";
            forgetLeaderIf(region.id(), storeId);
            retry(Duration.ZERO);
            return;
        }
        Region r = region.region();
        RaftCmdRequest.Builder builder = RaftCmdRequest.newBuilder()
                .setHeader(RaftRequestHeader.newBuilder().setRegionId(r.getId()).setPeer(peer.get())
                        .setRegionEpoch(r.getRegionEpoch()).setUuid(ctx.replies().nextUuid()))
                .addAllRequests(requests.apply(region));
        if (admin != null) builder.setAdminRequest(admin.apply(region));
        RaftCmdRequest request = builder.build();
        // See the class comment: a write waits for everything that is left, a read for one attempt's worth.
        // The attempt's timeout counts from when it leaves the client's window (ReplyRouter); until then it
        // may wait there, in order, up to the deadline.
        Duration attemptTimeout = kind == Kind.WRITE ? Duration.ofNanos(Long.MAX_VALUE)
                : ctx.settings().attemptTimeoutForReads();
        CompletionStage<RaftCmdResponse> ask = ctx.replies().send(store.get(), request, deadlineNanos, attemptTimeout);
        // Not async: the answer is completed by the client's reply actor (or its timer), never by the JDK's
        // pool, and one more hop through the dispatcher per command measured as a fifth of a get's cost.
        ask.whenComplete((reply, error) -> {
            try {
                if (error != null) {
                    onNoAnswer(region, storeId, error);
                } else {
                    onReply(region, peer.get(), request.getRequestsCount(), reply);
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
    }

    private void onNoAnswer(CachedRegion region, long storeId, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NotSentException notSent) {
            // Never left this process: whatever the kind, nothing was applied.
            lastError = "store " + storeId + ": " + notSent.getMessage();
            if (notSent.reason() == NotSentException.Reason.STORE_STOPPED) {
                // Another store (the region's next leader) may take it; the directory learns of the stop too.
                forgetLeaderIf(region.id(), storeId);
                retry(Duration.ZERO);
            } else if (notSent.reason() == NotSentException.Reason.QUEUE_FULL) {
                result.completeExceptionally(new RegionKvBusyException(operation + " " + KeyRanges.printable(key)
                        + " not served: " + lastError));
            } else {
                result.completeExceptionally(new RegionKvTimeoutException(operation, KeyRanges.printable(key),
                        lastError, false, true));
            }
            return;
        }
        String what = cause instanceof TimeoutException
                ? "no answer from store " + storeId + ": " + cause.getMessage()
                : cause instanceof StoreStoppedException
                ? "store " + storeId + " stopped: " + cause.getMessage()
                : "sending to store " + storeId + " failed: " + cause;
        if (kind == Kind.WRITE) {
            // Sent and unanswered: it may be applied. Never resend (class comment).
            lastError = what;
            failTimeout(true);
            return;
        }
        lastError = what;
        forgetLeaderIf(region.id(), storeId);
        retry(Duration.ZERO);
    }

    private void onReply(CachedRegion region, Peer peer, int requestCount, RaftCmdResponse response) {
        long storeId = peer.getStoreId();
        if (!response.hasHeader() || !response.getHeader().hasError()) {
            if (response.getResponsesCount() != requestCount) {
                result.completeExceptionally(new RegionKvException(operation + " " + KeyRanges.printable(key) + ": store "
                        + storeId + " answered " + response.getResponsesCount() + " responses to " + requestCount
                        + " requests"));
                return;
            }
            // Only the leader serves commands: remember it, so the next call need not search again.
            if (region.leaderStoreId() != storeId) {
                ctx.cache().byId(region.id()).filter(c -> c.leaderStoreId() != storeId)
                        .ifPresent(c -> ctx.cache().switchLeader(region.id(), Optional.of(peer)));
            }
            result.complete(new Result(region, response));
            return;
        }
        Errorpb.Error e = response.getHeader().getError();
        long regionId = region.id();
        if (e.hasNotLeader()) {
            Optional<Peer> hint = e.getNotLeader().hasLeader() && e.getNotLeader().getLeader().getStoreId() != 0
                    ? Optional.of(e.getNotLeader().getLeader()) : Optional.empty();
            ctx.cache().switchLeader(regionId, hint);
            lastError = "NotLeader from store " + storeId + " for region " + regionId
                    + hint.map(p -> " (leader hint: store " + p.getStoreId() + ")").orElse(" (no leader hint)");
            retry(Duration.ZERO);
        } else if (e.hasEpochNotMatch()) {
            List<Region> current = e.getEpochNotMatch().getCurrentRegionsList();
            ctx.cache().updateAll(current);
            // Whatever the store said, the epoch we sent is stale: never use that description again.
            ctx.cache().byId(regionId)
                    .filter(c -> !RegionCache.isNewer(c.region().getRegionEpoch(), region.region().getRegionEpoch()))
                    .ifPresent(c -> ctx.cache().invalidate(regionId));
            lastError = "EpochNotMatch from store " + storeId + " for region " + regionId + " ("
                    + current.size() + " current regions)";
            retry(Duration.ZERO);
        } else if (e.hasKeyNotInRegion() || e.hasRegionNotFound() || e.hasStoreNotMatch()) {
            ctx.cache().invalidate(regionId);
            String kindOfError = e.hasKeyNotInRegion() ? "KeyNotInRegion" : e.hasRegionNotFound() ? "RegionNotFound"
                    : "StoreNotMatch";
            lastError = kindOfError + " from store " + storeId + " for region " + regionId;
            retry(Duration.ZERO);
        } else if (e.hasStaleCommand()) {
            lastError = "StaleCommand from store " + storeId + " for region " + regionId;
            retry(Duration.ZERO);
        } else if (e.hasServerIsBusy()) {
            lastError = "ServerIsBusy from store " + storeId + ": " + e.getServerIsBusy().getReason();
            onBusy(e);
        } else if (e.hasTimeout()) {
            // The store gave up waiting for its own proposal or read: same rules as our own timeout.
            lastError = "store " + storeId + ": " + e.getMessage();
            if (kind == Kind.WRITE) {
                failTimeout(true);
            } else {
                forgetLeaderIf(regionId, storeId);
                retry(Duration.ZERO);
            }
        } else {
            // Invalid, StorageFull, or an error this client does not know: retrying as is would not help.
            result.completeExceptionally(new RegionKvException(operation + " " + KeyRanges.printable(key) + " refused by store "
                    + storeId + ": " + (e.getMessage().isEmpty() ? "unspecified error" : e.getMessage()), e));
        }
    }

    private void forgetLeaderIf(long regionId, long storeId) {
        ctx.cache().byId(regionId).filter(c -> c.leaderStoreId() == storeId)
                .ifPresent(c -> ctx.cache().switchLeader(regionId, Optional.empty()));
    }

    // ---- pacing ------------------------------------------------------------------------------------

    /** Waits the backoff (or {@code atLeast}, if longer) but never past the deadline, then tries again. */
    private void retry(Duration atLeast) {
        long remaining = remainingNanos();
        if (remaining <= 0) {
            failTimeout(false);
            return;
        }
        Duration delay = ctx.backoff().delay(retries++);
        if (atLeast.compareTo(delay) > 0) delay = atLeast;
        if (delay.toNanos() > remaining) delay = Duration.ofNanos(remaining);
        ctx.scheduler().scheduleOnce(delay, this::attempt, ctx.executor());
    }

    /**
     * Retries after the store's hint (or the backoff, if longer), unless that would carry the call past its
     * busy budget, or to within one budget (at most a quarter of the request timeout) of its deadline: then it fails at once with the typed busy error. A busy refusal proves
     * nothing was applied, so the call ends with a definite "not served" instead of waiting out its
     * deadline and being reported as a timeout.
     */
    private void onBusy(Errorpb.Error busy) {
        long now = System.nanoTime();
        if (!busySeen) {
            busySeen = true;
            firstBusyNanos = now;
        }
        Duration delay = ctx.backoff().delay(retries++);
        Duration hint = Duration.ofMillis(busy.getServerIsBusy().getBackoffMs());
        if (hint.compareTo(delay) > 0) delay = hint;
        // Not too close to the deadline either: a write admitted with little time left would likely end
        // unanswered, as "outcome unknown", which is worse for the caller than a definite busy.
        long budget = ctx.settings().busyBudget().toNanos();
        long margin = Math.min(budget, ctx.settings().requestTimeout().toNanos() / 4);
        long giveUpAt = Math.min(deadlineNanos - margin, firstBusyNanos + budget);
        if (now + delay.toNanos() >= giveUpAt) {
            result.completeExceptionally(new RegionKvBusyException(operation + " " + KeyRanges.printable(key)
                    + " not served: the store stayed busy for " + (now - firstBusyNanos) / 1_000_000 + " ms; "
                    + lastError, busy));
            return;
        }
        ctx.scheduler().scheduleOnce(delay, this::attempt, ctx.executor());
    }

    private void failTimeout(boolean outcomeUnknown) {
        result.completeExceptionally(new RegionKvTimeoutException(operation, KeyRanges.printable(key), lastError, outcomeUnknown));
    }
}
