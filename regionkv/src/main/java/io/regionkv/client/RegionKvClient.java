package io.regionkv.client;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.DeleteRequest;
import io.regionkv.proto.RaftCmdpb.GetRequest;
import io.regionkv.proto.RaftCmdpb.GetResponse;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.ScanRequest;
import io.regionkv.proto.RaftCmdpb.ScanResponse;
import io.regionkv.transport.StoreDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.regionkv.proto.RaftCmdpb.AdminCmdType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.SplitRequest;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The raw key-value API of a RegionKV cluster, for code running in a node of its Pekko cluster.
 *
 * <p>Every operation is routed to the leader of the region holding its key, found through a
 * {@link RegionCache} that is filled by asking stores ({@code regionkv.client.initial-stores}) and
 * corrected by the region errors stores answer with. Definite refusals (not leader, stale epoch, key not
 * in region, region not here, stale command, busy) are retried with exponential backoff until
 * {@code regionkv.client.request-timeout}; then the operation fails with
 * {@link RegionKvTimeoutException}. A refusal retrying cannot fix (for example a key or value the store
 * finds too long) fails at once with {@link RegionKvException}. A write that was sent and not answered
 * is never resent and fails with {@code outcomeUnknown}; why is explained on {@link RegionCall}.
 *
 * <p>Thread-safe and non-blocking: methods return at once with a {@link CompletionStage} that completes
 * on the actor system's threads. Invalid arguments (null, empty key, negative limit) throw
 * {@link IllegalArgumentException} from the call itself and send nothing. A callback attached with a
 * non-async method ({@code thenApply}, {@code whenComplete}) runs on the thread that completes the
 * operation, usually the client's own reply actor, which serves every answer of this client: keep such
 * callbacks short and never block in them (use the {@code *Async} variants with an executor of your own
 * for blocking work), as with any future completed by an actor.
 *
 * <p>Column families: the variants without a {@code cf} use the default one; {@code ""} also names it.
 */
public final class RegionKvClient {

    private final ClientContext ctx;

    /** A client with the settings of {@code regionkv.client} in the system's configuration. */
    public static RegionKvClient create(ActorSystem<?> system) {
        return new RegionKvClient(system, ClientSettings.create(system));
    }

    public RegionKvClient(ActorSystem<?> system, ClientSettings settings) {
        this(system, settings, new Random());
    }

    /**
     * A client that finds regions by asking the stores only (no scheduler).
     *
     * @param random drives backoff jitter and request ids; seed it to replay a test.
     */
    public RegionKvClient(ActorSystem<?> system, ClientSettings settings, Random random) {
        this(system, settings, random, Optional.empty());
    }

    /**
     * A client that looks regions up in the scheduler's directory first ({@code scheduler}, the proxy from
     * {@link io.regionkv.scheduler.Scheduler#proxy}), and asks the stores when the scheduler does not know
     * the key's region or does not answer within {@code regionkv.scheduler.lookup-timeout}.
     */
    public RegionKvClient(ActorSystem<?> system, ClientSettings settings, Random random,
            Optional<ActorRef<SchedulerCommand>> scheduler) {
        if (system == null || settings == null || random == null || scheduler == null) {
            throw new IllegalArgumentException("system, settings, random and scheduler must not be null");
        }
        SchedulerLookup lookup = SchedulerLookup.none();
        if (scheduler.isPresent()) {
            com.typesafe.config.Config c = system.settings().config().getConfig("regionkv.scheduler");
            lookup = new SchedulerLookup(scheduler, c.getDuration("lookup-timeout"), c.getDuration("lookup-silence-backoff"));
        }
        this.ctx = new ClientContext(system, StoreDirectory.get(system), new RegionCache(),
                new Backoff(settings.backoffBase(), settings.backoffMax(), random), settings, random,
                new ReplyRouter(system, random, settings.maxInFlightPerStore(), settings.maxQueuedPerStore()), lookup);
    }

    /**
     * The longest key a store accepts (LMDB's limit in the bundled build). A scan that continues after a
     * key of this length continues at a shorter key, since no longer one can exist.
     */
    static final int MAX_KEY_SIZE = 511;

    public ClientSettings settings() {
        return ctx.settings();
    }

    /** The region cache, for tests of this package. */
    RegionCache cache() {
        return ctx.cache();
    }

    /** Where commands leave and answers arrive (with the per-store windows), for tests of this package. */
    ReplyRouter replies() {
        return ctx.replies();
    }

    // ---- writes ------------------------------------------------------------------------------------

    public CompletionStage<Void> put(ByteString key, ByteString value) {
        return put("", key, value);
    }

    public CompletionStage<Void> put(String cf, ByteString key, ByteString value) {
        checkCf(cf);
        return putAnyCf(cf, key, value);
    }

    /** {@link #put(String, ByteString, ByteString)} without the column-family check ({@link SystemKv}). */
    CompletionStage<Void> putAnyCf(String cf, ByteString key, ByteString value) {
        checkKey("key", key);
        if (value == null) throw new IllegalArgumentException("value must not be null");
        Request request = Request.newBuilder().setCmdType(CmdType.Put)
                .setPut(PutRequest.newBuilder().setCf(cf).setKey(key).setValue(value)).build();
        return call("put", key, RegionCall.Kind.WRITE, request, deadline()).thenApply(r -> null);
    }

    public CompletionStage<Void> delete(ByteString key) {
        return delete("", key);
    }

    public CompletionStage<Void> delete(String cf, ByteString key) {
        checkCf(cf);
        checkKey("key", key);
        Request request = Request.newBuilder().setCmdType(CmdType.Delete)
                .setDelete(DeleteRequest.newBuilder().setCf(cf).setKey(key)).build();
        return call("delete", key, RegionCall.Kind.WRITE, request, deadline()).thenApply(r -> null);
    }

    // ---- reads -------------------------------------------------------------------------------------

    /** The value of {@code key}, or empty when it has none. Linearizable (the store reads by ReadIndex). */
    public CompletionStage<Optional<ByteString>> get(ByteString key) {
        return get("", key);
    }

    public CompletionStage<Optional<ByteString>> get(String cf, ByteString key) {
        checkCf(cf);
        return getAnyCf(cf, key);
    }

    /** {@link #get(String, ByteString)} without the column-family check ({@link SystemKv}). */
    CompletionStage<Optional<ByteString>> getAnyCf(String cf, ByteString key) {
        checkKey("key", key);
        Request request = Request.newBuilder().setCmdType(CmdType.Get)
                .setGet(GetRequest.newBuilder().setCf(cf).setKey(key)).build();
        return call("get", key, RegionCall.Kind.READ, request, deadline()).thenApply(r -> {
            GetResponse g = r.response().getResponses(0).getGet();
            return g.getNotFound() ? Optional.<ByteString>empty() : Optional.of(g.getValue());
        });
    }

    /**
     * Up to {@code limit} pairs with {@code start <= key < end} in key order, read region by region.
     * An empty {@code start} is the beginning of the key space, an empty {@code end} its end. Each
     * region's part is a linearizable read; the parts are read one after another, so the whole scan is
     * not one snapshot. One deadline covers the whole scan. {@code limit} 0 answers an empty list.
     */
    public CompletionStage<List<KvPair>> scan(ByteString start, ByteString end, int limit) {
        return scan("", start, end, limit);
    }

    public CompletionStage<List<KvPair>> scan(String cf, ByteString start, ByteString end, int limit) {
        checkCf(cf);
        if (start == null) throw new IllegalArgumentException("start must not be null (empty = from the first key)");
        if (end == null) throw new IllegalArgumentException("end must not be null (empty = to the last key)");
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        if (!end.isEmpty() && KeyRanges.compare(start, end) > 0) {
            throw new IllegalArgumentException("scan start " + KeyRanges.printable(start) + " is after end " + KeyRanges.printable(end));
        }
        if (limit == 0 || (!end.isEmpty() && start.equals(end))) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<List<KvPair>> done = new CompletableFuture<>();
        scanFrom(cf, start, end, limit, new ArrayList<>(), deadline(), done);
        return done;
    }

    /** Reads the region holding {@code cursor}, then continues at that region's end key. */
    private void scanFrom(String cf, ByteString cursor, ByteString end, int limit, List<KvPair> found,
            long deadlineNanos, CompletableFuture<List<KvPair>> done) {
        int wanted = limit - found.size();
        RegionCall call = new RegionCall(ctx, "scan", cursor, RegionCall.Kind.READ, region -> List.of(
                Request.newBuilder().setCmdType(CmdType.Scan).setScan(ScanRequest.newBuilder().setCf(cf)
                        .setStartKey(cursor).setEndKey(KeyRanges.minEnd(end, region.region().getEndKey()))
                        .setLimit(wanted)).build()),
                deadlineNanos);
        call.start().whenComplete((result, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            try {
                ByteString regionEnd = result.region().region().getEndKey();
                ByteString stop = KeyRanges.minEnd(end, regionEnd);
                ScanResponse answer = result.response().getResponses(0).getScan();
                for (var kv : answer.getKvsList()) {
                    // Trust but check: a pair outside what we asked for would break the key order.
                    if (found.size() < limit && KeyRanges.inRange(kv.getKey(), cursor, stop)) {
                        found.add(new KvPair(kv.getKey(), kv.getValue()));
                    }
                }
                if (found.size() >= limit) {
                    done.complete(List.copyOf(found));
                } else if (answer.getMore()) {
                    // The store stopped at its own bound inside this region: go on right after its last key.
                    if (answer.getKvsCount() == 0) {
                        throw new RegionKvException("scan: store answered 'more' without any pair at "
                                + KeyRanges.printable(cursor));
                    }
                    Optional<ByteString> next = KeyRanges.successor(answer.getKvs(answer.getKvsCount() - 1).getKey(),
                            MAX_KEY_SIZE);
                    if (next.isEmpty()) {
                        done.complete(List.copyOf(found));
                    } else {
                        scanFrom(cf, next.get(), end, limit, found, deadlineNanos, done);
                    }
                } else if (regionEnd.isEmpty() || (!end.isEmpty() && KeyRanges.compare(regionEnd, end) >= 0)) {
                    done.complete(List.copyOf(found)); // the last region of the range
                } else {
                    scanFrom(cf, regionEnd, end, limit, found, deadlineNanos, done);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
    }

    // ---- admin -------------------------------------------------------------------------------------

    /**
     * Splits the region holding {@code key} at {@code key}: the scheduler allocates the new region's and
     * peers' ids, then the region's leader proposes the split through raft; completes once applied.
     * Fails with {@link RegionKvException} when the key is already a region boundary (or the region
     * changed its members meanwhile), and when this client has no scheduler.
     */
    public CompletionStage<Void> split(ByteString key) {
        checkKey("key", key);
        Optional<ActorRef<SchedulerCommand>> scheduler = ctx.schedulerLookup().scheduler();
        if (scheduler.isEmpty()) {
            return CompletableFuture.failedFuture(new RegionKvException("split " + KeyRanges.printable(key)
                    + ": this client has no scheduler to allocate ids"));
        }
        return splitOnce(key, scheduler.get(), deadline());
    }

    /**
     * One try: ids for the region's members as the client knows them, then the split. When the leader's
     * membership turns out to differ (a peer added or removed meanwhile), the ids do not fit: start over
     * with fresh ids for the membership the leader reported, until the deadline.
     */
    private CompletionStage<Void> splitOnce(ByteString key, ActorRef<SchedulerCommand> scheduler, long deadline) {
        // A read finds the region holding the key as it is now (and its leader), for the ids' count.
        Request probe = Request.newBuilder().setCmdType(CmdType.Get)
                .setGet(GetRequest.newBuilder().setKey(key)).build();
        return call("split", key, RegionCall.Kind.READ, probe, deadline)
                .thenCompose(found -> askSplitIds(scheduler, found.region().region(), deadline))
                .thenCompose(ids -> RegionCall.admin(ctx, "split", key, region -> {
                    if (region.region().getPeersCount() != ids.newPeerIds().size()) {
                        throw new MembersChanged(region.region().getPeersCount(), ids.newPeerIds().size());
                    }
                    return AdminRequest.newBuilder()
                        .setCmdType(AdminCmdType.Split).setSplit(SplitRequest.newBuilder().setSplitKey(key)
                                .setNewRegionId(ids.newRegionId()).addAllNewPeerIds(ids.newPeerIds()))
                        .build();
                }, deadline).start())
                .<CompletionStage<Void>>handle((r, e) -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    if (cause instanceof MembersChanged && System.nanoTime() < deadline) {
                        return splitOnce(key, scheduler, deadline);
                    }
                    return e == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(cause);
                })
                .thenCompose(x -> x);
    }

    /** The region has other members than the split's ids were allocated for. */
    private static final class MembersChanged extends RegionKvException {
        private static final long serialVersionUID = 1L;

        MembersChanged(int members, int ids) {
            super("split: the region has " + members + " peers now, the ids were for " + ids);
        }
    }

    /** Asks the leader of region {@code regionId} to hand leadership to its peer on {@code storeId}. */
    public CompletionStage<Void> transferLeader(long regionId, long storeId) {
        return new MembershipCalls(ctx).transferLeader(regionId, storeId, deadline());
    }

    /**
     * Adds a replica of region {@code regionId} on store {@code storeId}: it joins as a learner (the call
     * completes then) and its leader promotes it to voter once it has caught up.
     */
    public CompletionStage<Void> addPeer(long regionId, long storeId) {
        return new MembershipCalls(ctx).addPeer(regionId, storeId, deadline());
    }

    /** Removes region {@code regionId}'s replica on store {@code storeId} (the leader's too: it hands over first). */
    public CompletionStage<Void> removePeer(long regionId, long storeId) {
        return new MembershipCalls(ctx).removePeer(regionId, storeId, deadline());
    }

    private CompletionStage<SchedulerReply.SplitIds> askSplitIds(ActorRef<SchedulerCommand> scheduler,
            io.regionkv.proto.Metapb.Region region, long deadlineNanos) {
        java.time.Duration wait = java.time.Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
        return AskPattern.<SchedulerCommand, SchedulerReply.AskSplitReply>ask(scheduler,
                replyTo -> new SchedulerCommand.AskSplit(region, replyTo), wait, ctx.scheduler())
                .thenApply(reply -> {
                    if (reply instanceof SchedulerReply.SplitIds ids) return ids;
                    throw new RegionKvException("split: the scheduler gave no ids: " + reply);
                });
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    private CompletionStage<RegionCall.Result> call(String operation, ByteString key, RegionCall.Kind kind,
            Request request, long deadlineNanos) {
        return new RegionCall(ctx, operation, key, kind, region -> List.of(request), deadlineNanos).start();
    }

    private long deadline() {
        return System.nanoTime() + ctx.settings().requestTimeout().toNanos();
    }

    private static void checkKey(String what, ByteString key) {
        if (key == null) throw new IllegalArgumentException(what + " must not be null");
        if (key.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
    }

    private static void checkCf(String cf) {
        if (cf == null) throw new IllegalArgumentException("column family must not be null (\"\" is the default)");
        if (cf.equals(io.regionkv.engine.Db.SYS.dbName())) {
            throw new IllegalArgumentException("column family '" + cf + "' is reserved for the cluster's own state");
        }
    }
}
