package io.regionkv.scheduler;

import com.google.protobuf.ByteString;
import io.regionkv.client.SystemKv;
import io.regionkv.scheduler.SchedulerCommand.MarkIo;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The scheduler (placement driver), run by the cluster as a singleton: ids, timestamps, the region
 * directory and split ids.
 *
 * <p>Failover: the id and timestamp high-water marks live in RegionKV itself, in the {@code sys} column
 * family, written through raft ({@link SystemKv}). A new instance first reads them and hands out nothing
 * until it has saved marks of its own above them; requests meanwhile wait (bounded). Ids and timestamps
 * are only ever answered below the mark this instance saved, so its successor, starting at that mark,
 * never repeats an id nor goes back in time. Saves never block the actor: their completion comes back
 * as a message. The directory is soft state, refilled by heartbeats.
 */
public final class SchedulerActor extends AbstractBehavior<SchedulerCommand> {

    static final ByteString ID_MARK_KEY = ByteString.copyFromUtf8("scheduler/id-mark");
    static final ByteString TSO_MARK_KEY = ByteString.copyFromUtf8("scheduler/tso-mark");
    /** More ids or timestamps than this in one request are refused: a bug, not a need. */
    static final int MAX_COUNT = 10_000;

    private final SchedulerSettings settings;
    private final SystemKv kv;
    private final TimerScheduler<SchedulerCommand> timers;
    private final RegionDirectory directory = new RegionDirectory();
    /** Each store's last heartbeat. */
    private final Map<Long, SchedulerCommand.StoreHeartbeat> stores = new java.util.TreeMap<>();
    private final OperatorController operators;
    /** Id and timestamp requests that wait for marks to be loaded or saved, oldest first. */
    private final ArrayDeque<SchedulerCommand> waiting = new ArrayDeque<>();

    private IdAllocator ids;
    private TimestampOracle tso;
    private boolean idSaving;
    private long idWanted;
    private boolean tsoSaving;
    private long tsoWanted;
    /** A timestamp was issued since the last timestamp-mark save: keep the mark ahead of the clock. */
    private boolean tsoUsed;

    public static Behavior<SchedulerCommand> create(SchedulerSettings settings, SystemKv kv) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new SchedulerActor(ctx, timers, settings, kv)));
    }

    private SchedulerActor(ActorContext<SchedulerCommand> ctx, TimerScheduler<SchedulerCommand> timers,
            SchedulerSettings settings, SystemKv kv) {
        super(ctx);
        this.settings = settings;
        this.kv = kv;
        this.timers = timers;
        ScheduleSettings schedule = ScheduleSettings.fromConfig(ctx.getSystem().settings().config());
        this.operators = new OperatorController(schedule);
        ctx.getLog().info("scheduler starting on {}", ctx.getSystem().address());
        timers.startTimerWithFixedDelay(SchedulerCommand.BalanceTick.INSTANCE, schedule.balanceInterval());
        load();
    }

    @Override
    public Receive<SchedulerCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(SchedulerCommand.AllocIds.class, this::onAllocIds)
                .onMessage(SchedulerCommand.GetTimestamp.class, this::onGetTimestamp)
                .onMessage(SchedulerCommand.AskSplit.class, this::onAskSplit)
                .onMessage(SchedulerCommand.RegionHeartbeat.class, this::onRegionHeartbeat)
                .onMessage(SchedulerCommand.StoreHeartbeat.class, this::onStoreHeartbeat)
                .onMessage(SchedulerCommand.GetStores.class, this::onGetStores)
                .onMessage(SchedulerCommand.GetRegion.class, this::onGetRegion)
                .onMessage(SchedulerCommand.GetRegionById.class, this::onGetRegionById)
                .onMessage(SchedulerCommand.ScanRegions.class, this::onScanRegions)
                .onMessage(SchedulerCommand.MarksLoaded.class, this::onMarksLoaded)
                .onMessage(SchedulerCommand.IdMarkSaved.class, this::onIdMarkSaved)
                .onMessage(SchedulerCommand.TsoMarkSaved.class, this::onTsoMarkSaved)
                .onMessage(SchedulerCommand.MarkIoFailed.class, this::onMarkIoFailed)
                .onMessageEquals(SchedulerCommand.Retry.INSTANCE, this::onRetry)
                .onMessageEquals(SchedulerCommand.TsoTick.INSTANCE, this::onTsoTick)
                .onMessageEquals(SchedulerCommand.BalanceTick.INSTANCE, this::onBalanceTick)
                .build();
    }

    // ---- ids, timestamps, split ids -------------------------------------------------------------------

    private Behavior<SchedulerCommand> onAllocIds(SchedulerCommand.AllocIds r) {
        if (r.count() < 1 || r.count() > MAX_COUNT) {
            r.replyTo().tell(new SchedulerReply.Refused("id count must be 1.." + MAX_COUNT + ", was " + r.count()));
            return this;
        }
        long first = allocate(r, r.count());
        if (first > 0) r.replyTo().tell(new SchedulerReply.Ids(first, r.count()));
        return this;
    }

    private Behavior<SchedulerCommand> onAskSplit(SchedulerCommand.AskSplit r) {
        int peers = r.region().getPeersCount();
        if (peers == 0 || r.region().getId() == 0) {
            r.replyTo().tell(new SchedulerReply.Refused("region " + r.region().getId() + " has no peers to split"));
            return this;
        }
        long first = allocate(r, 1 + peers);
        if (first > 0) {
            List<Long> peerIds = new ArrayList<>(peers);
            for (int i = 1; i <= peers; i++) peerIds.add(first + i);
            r.replyTo().tell(new SchedulerReply.SplitIds(first, peerIds));
        }
        return this;
    }

    /** The first of {@code count} ids, or 0 when {@code request} has to wait (it was queued). */
    private long allocate(SchedulerCommand request, int count) {
        if (ids == null) {
            enqueue(request);
            return 0;
        }
        long first = ids.tryAllocate(count);
        if (first < 0) {
            enqueue(request);
            saveIdMark(ids.markFor(count));
            return 0;
        }
        if (ids.lowWater()) saveIdMark(ids.markFor(0));
        return first;
    }

    private Behavior<SchedulerCommand> onGetTimestamp(SchedulerCommand.GetTimestamp r) {
        if (r.count() < 1 || r.count() > MAX_COUNT) {
            r.replyTo().tell(new SchedulerReply.Refused("timestamp count must be 1.." + MAX_COUNT + ", was " + r.count()));
            return this;
        }
        if (tso == null) {
            enqueue(r);
            return this;
        }
        long now = System.currentTimeMillis();
        SchedulerReply.Timestamp ts = tso.tryNext(now, r.count());
        if (ts == null) {
            enqueue(r);
            saveTsoMark(tso.markFor(now));
            return this;
        }
        tsoUsed = true;
        r.replyTo().tell(ts);
        if (tso.lowWater(now)) saveTsoMark(tso.markFor(now));
        return this;
    }

    private void enqueue(SchedulerCommand request) {
        if (waiting.size() >= settings.maxWaiting()) {
            SchedulerReply.Unavailable busy = new SchedulerReply.Unavailable(
                    "scheduler has " + waiting.size() + " requests waiting for its marks to be saved");
            if (request instanceof SchedulerCommand.AllocIds a) a.replyTo().tell(busy);
            else if (request instanceof SchedulerCommand.GetTimestamp t) t.replyTo().tell(busy);
            else if (request instanceof SchedulerCommand.AskSplit s) s.replyTo().tell(busy);
            return;
        }
        waiting.add(request);
    }

    /** Serves what waited, in order; whatever still cannot be served goes back in the queue. */
    private void drain() {
        List<SchedulerCommand> again = new ArrayList<>(waiting);
        waiting.clear();
        for (SchedulerCommand c : again) {
            if (c instanceof SchedulerCommand.AllocIds a) onAllocIds(a);
            else if (c instanceof SchedulerCommand.GetTimestamp t) onGetTimestamp(t);
            else if (c instanceof SchedulerCommand.AskSplit s) onAskSplit(s);
        }
    }

    // ---- the marks ------------------------------------------------------------------------------------

    private void load() {
        CompletionStage<long[]> both = kv.get(ID_MARK_KEY)
                .thenCombine(kv.get(TSO_MARK_KEY), (id, ts) -> new long[] {decode(id), decode(ts)});
        getContext().pipeToSelf(both, (marks, error) -> error != null
                ? new SchedulerCommand.MarkIoFailed(MarkIo.LOAD, error)
                : new SchedulerCommand.MarksLoaded(marks[0], marks[1]));
    }

    private Behavior<SchedulerCommand> onMarksLoaded(SchedulerCommand.MarksLoaded m) {
        getContext().getLog().info("scheduler marks loaded: ids from {}, timestamps from {} ms", m.idMark(), m.tsoMark());
        ids = new IdAllocator(settings.idFloor(), m.idMark(), settings.idBlock());
        tso = new TimestampOracle(m.tsoMark(), settings.tsoWindow().toMillis());
        saveIdMark(ids.markFor(0));
        saveTsoMark(tso.markFor(System.currentTimeMillis()));
        timers.startTimerWithFixedDelay(SchedulerCommand.TsoTick.INSTANCE, settings.tsoWindow().dividedBy(3));
        return this;
    }

    private void saveIdMark(long mark) {
        idWanted = Math.max(idWanted, mark);
        if (idSaving || idWanted <= ids.durableMark()) return;
        idSaving = true;
        long saving = idWanted;
        getContext().pipeToSelf(kv.put(ID_MARK_KEY, encode(saving)), (ok, error) -> error != null
                ? new SchedulerCommand.MarkIoFailed(MarkIo.SAVE_ID, error)
                : new SchedulerCommand.IdMarkSaved(saving));
    }

    private Behavior<SchedulerCommand> onIdMarkSaved(SchedulerCommand.IdMarkSaved s) {
        idSaving = false;
        ids.markSaved(s.mark());
        saveIdMark(idWanted); // a larger mark asked for meanwhile
        drain();
        return this;
    }

    private void saveTsoMark(long mark) {
        tsoWanted = Math.max(tsoWanted, mark);
        if (tsoSaving) return;
        tsoSaving = true;
        tsoUsed = false;
        long saving = tsoWanted;
        getContext().pipeToSelf(kv.put(TSO_MARK_KEY, encode(saving)), (ok, error) -> error != null
                ? new SchedulerCommand.MarkIoFailed(MarkIo.SAVE_TSO, error)
                : new SchedulerCommand.TsoMarkSaved(saving));
    }

    private Behavior<SchedulerCommand> onTsoMarkSaved(SchedulerCommand.TsoMarkSaved s) {
        tsoSaving = false;
        tso.markSaved(s.mark());
        if (tsoWanted > s.mark()) saveTsoMark(tsoWanted);
        drain();
        return this;
    }

    private Behavior<SchedulerCommand> onTsoTick() {
        long now = System.currentTimeMillis();
        // Only while timestamps are asked for: an idle scheduler writes nothing.
        if (tso != null && (tsoUsed || !waiting.isEmpty()) && tso.lowWater(now)) saveTsoMark(tso.markFor(now));
        return this;
    }

    private Behavior<SchedulerCommand> onMarkIoFailed(SchedulerCommand.MarkIoFailed f) {
        getContext().getLog().warn("scheduler: {} failed, retrying in {}: {}", f.what(), settings.retryInterval(),
                f.cause().toString());
        if (f.what() == MarkIo.SAVE_ID) idSaving = false;
        if (f.what() == MarkIo.SAVE_TSO) tsoSaving = false;
        timers.startSingleTimer(SchedulerCommand.Retry.INSTANCE, settings.retryInterval());
        return this;
    }

    private Behavior<SchedulerCommand> onRetry() {
        if (ids == null) {
            load();
            return this;
        }
        // A failed write may still apply later; a higher mark saved after it keeps the order right, since
        // the marks one instance writes only grow and raft applies its writes to one key in order.
        if (!idSaving) {
            long want = idWanted;
            idWanted = 0;
            saveIdMark(Math.max(want, ids.markFor(0)));
        }
        if (!tsoSaving) saveTsoMark(Math.max(tsoWanted, tso.markFor(System.currentTimeMillis())));
        return this;
    }

    static ByteString encode(long v) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(v).array());
    }

    static long decode(Optional<ByteString> v) {
        if (v.isEmpty()) return 0;
        if (v.get().size() != 8) {
            throw new IllegalStateException("a scheduler mark holds " + v.get().size() + " bytes, not 8");
        }
        return v.get().asReadOnlyByteBuffer().getLong();
    }

    // ---- directory -----------------------------------------------------------------------------------

    private Behavior<SchedulerCommand> onRegionHeartbeat(SchedulerCommand.RegionHeartbeat h) {
        if (h.region().getId() == 0) return this; // nothing to file it under
        String stale = directory.staleReason(h.region());
        if (stale != null) {
            if (h.replyTo() != null) h.replyTo().tell(new SchedulerReply.Stale(h.region().getId(), stale));
            return this;
        }
        RegionDirectory.Entry entry = new RegionDirectory.Entry(h.region(), h.leader(), h.approximateSize(),
                h.approximateKeys(), h.pendingPeers(), h.downPeers());
        directory.put(entry);
        long now = System.nanoTime();
        operators.storesMentioned(h.region(), now);
        Optional<SchedulerReply.Operate> step = operators.onHeartbeat(entry, this::allRegions, now, this::newPeerId);
        if (step.isPresent() && h.replyTo() != null) h.replyTo().tell(step.get());
        return this;
    }

    private Behavior<SchedulerCommand> onBalanceTick() {
        for (Operator op : operators.balance(allRegions(), System.nanoTime(), this::newPeerId)) {
            getContext().getLog().info("scheduler: {} plans {} for region {}", op.source(), op.steps(), op.regionId());
        }
        return this;
    }

    private List<RegionDirectory.Entry> allRegions() {
        return directory.scan(ByteString.EMPTY, ByteString.EMPTY, Integer.MAX_VALUE);
    }

    /** A fresh peer id for an operator, or -1 when none can be handed out yet (the next heartbeat retries). */
    private long newPeerId() {
        if (ids == null) return -1;
        long id = ids.tryAllocate(1);
        if (id < 0 || ids.lowWater()) saveIdMark(ids.markFor(1));
        return id;
    }

    private Behavior<SchedulerCommand> onStoreHeartbeat(SchedulerCommand.StoreHeartbeat h) {
        if (h.storeId() > 0) {
            stores.put(h.storeId(), h);
            operators.storeHeartbeat(h.storeId(), System.nanoTime());
        }
        return this;
    }

    private Behavior<SchedulerCommand> onGetStores(SchedulerCommand.GetStores q) {
        long now = System.nanoTime();
        List<SchedulerReply.StoreInfo> out = new ArrayList<>(stores.size());
        for (SchedulerCommand.StoreHeartbeat h : stores.values()) {
            out.add(new SchedulerReply.StoreInfo(h.storeId(), h.capacity(), h.available(), h.used(), h.regionCount(),
                    h.leaderCount(), operators.state(h.storeId(), now)));
        }
        q.replyTo().tell(new SchedulerReply.Stores(out));
        return this;
    }

    private Behavior<SchedulerCommand> onGetRegion(SchedulerCommand.GetRegion q) {
        q.replyTo().tell(regions(directory.byKey(q.key()).stream().toList()));
        return this;
    }

    private Behavior<SchedulerCommand> onGetRegionById(SchedulerCommand.GetRegionById q) {
        q.replyTo().tell(regions(directory.byId(q.regionId()).stream().toList()));
        return this;
    }

    private Behavior<SchedulerCommand> onScanRegions(SchedulerCommand.ScanRegions q) {
        int limit = q.limit() <= 0 ? Integer.MAX_VALUE : q.limit();
        q.replyTo().tell(regions(directory.scan(q.start(), q.end(), limit)));
        return this;
    }

    private static SchedulerReply.Regions regions(List<RegionDirectory.Entry> entries) {
        List<SchedulerReply.RegionInfo> out = new ArrayList<>(entries.size());
        for (RegionDirectory.Entry e : entries) {
            out.add(new SchedulerReply.RegionInfo(e.region(), Optional.ofNullable(e.leader())));
        }
        return new SchedulerReply.Regions(out);
    }
}
