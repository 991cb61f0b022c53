package io.regionkv.example.inventory;

import com.google.protobuf.ByteString;
import io.regionkv.RegionKV;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps the stock of every item in RegionKV and changes it by read-modify-write: read the item's value,
 * decide, write the new value. It handles one command at a time (the others wait in a bounded stash), so
 * as long as there is one keeper, no two updates interleave. The keeper never blocks: RegionKV answers
 * with futures, piped back as messages.
 */
public final class StockKeeper {

    /** What the keeper is asked. */
    public sealed interface Command permits Reserve, Restock, Loaded, Written, Settled {}

    /** Takes {@code quantity} units of {@code item} out of "available" into "reserved", if there are enough. */
    public record Reserve(String item, long quantity, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

    /** Adds {@code quantity} units of {@code item} to "available". */
    public record Restock(String item, long quantity, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

    private record Loaded(Command request, Optional<ByteString> value, Throwable failure) implements Command {}

    private record Written(Command request, Stock stock, Throwable failure) implements Command {}

    private enum Settled implements Command { INSTANCE }

    /** How a command ended. */
    public sealed interface Reply extends CborSerializable permits Done, OutOfStock, Rejected, Failed {}

    /** Applied; the item's stock afterwards. */
    public record Done(Stock stock) implements Reply {}

    /** Not enough available; nothing changed. */
    public record OutOfStock(Stock stock) implements Reply {}

    /** Bad input (empty item, quantity not positive); nothing changed. */
    public record Rejected(String reason) implements Reply {}

    /**
     * Not done. {@code mayHaveHappened}: the write was sent and its outcome is unknown (it may still
     * land); otherwise it certainly did not happen.
     */
    public record Failed(String reason, boolean mayHaveHappened) implements Reply {}

    private final ActorContext<Command> context;
    private final StashBuffer<Command> waiting;
    private final TimerScheduler<Command> timers;
    private final RegionKV kv;
    private final Duration settle;

    private StockKeeper(ActorContext<Command> context, StashBuffer<Command> waiting, TimerScheduler<Command> timers) {
        this.context = context;
        this.waiting = waiting;
        this.timers = timers;
        this.kv = RegionKV.get(context.getSystem());
        this.settle = context.getSystem().settings().config().getDuration("inventory.settle-after-unknown-write");
    }

    public static Behavior<Command> create() {
        return Behaviors.setup(context -> {
            int bound = context.getSystem().settings().config().getInt("inventory.max-waiting");
            return Behaviors.withStash(bound, waiting -> Behaviors.withTimers(timers ->
                    new StockKeeper(context, waiting, timers).idle()));
        });
    }

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Reserve.class, r -> start(r, r.item(), r.quantity(), r.replyTo()))
                .onMessage(Restock.class, r -> start(r, r.item(), r.quantity(), r.replyTo()))
                .onAnyMessage(stale -> Behaviors.same()) // a late Loaded/Written/Settled: already handled
                .build();
    }

    private Behavior<Command> start(Command request, String item, long quantity, ActorRef<Reply> replyTo) {
        if (item == null || item.isEmpty() || quantity <= 0) {
            replyTo.tell(new Rejected("need an item and a positive quantity, got '" + item + "' x " + quantity));
            return Behaviors.same();
        }
        context.pipeToSelf(kv.get(Stock.key(item)), (value, failure) -> new Loaded(request, value, failure));
        return busy();
    }

    /** Between the read and the end of the write: everything else waits. */
    private Behavior<Command> busy() {
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(Written.class, this::onWritten)
                .onAnyMessage(this::hold)
                .build();
    }

    private Behavior<Command> onLoaded(Loaded loaded) {
        ActorRef<Reply> replyTo = replyTo(loaded.request());
        if (loaded.failure() != null) {
            replyTo.tell(new Failed("read failed: " + loaded.failure(), false)); // a read changes nothing
            return next();
        }
        Stock now;
        try {
            now = Stock.decode(loaded.value());
        } catch (Stock.CorruptStockException e) {
            replyTo.tell(new Failed(e.getMessage(), false));
            return next();
        }
        Stock after;
        if (loaded.request() instanceof Reserve r) {
            if (now.available() < r.quantity()) {
                replyTo.tell(new OutOfStock(now));
                return next();
            }
            after = now.reserve(r.quantity());
        } else {
            after = now.restock(((Restock) loaded.request()).quantity());
        }
        String item = loaded.request() instanceof Reserve r ? r.item() : ((Restock) loaded.request()).item();
        context.pipeToSelf(kv.put(Stock.key(item), after.encode()),
                (ok, failure) -> new Written(loaded.request(), after, failure));
        return Behaviors.same();
    }

    private Behavior<Command> onWritten(Written written) {
        ActorRef<Reply> replyTo = replyTo(written.request());
        if (written.failure() == null) {
            replyTo.tell(new Done(written.stock()));
            return next();
        }
        replyTo.tell(new Failed("write outcome unknown: " + written.failure(), true));
        // The write may still land. Reading now could see the old value and write over it later, losing
        // this update or the next one, so wait until it has landed or failed for good.
        timers.startSingleTimer(Settled.INSTANCE, settle);
        return Behaviors.receive(Command.class)
                .onMessageEquals(Settled.INSTANCE, this::next)
                .onAnyMessage(this::hold)
                .build();
    }

    private Behavior<Command> hold(Command command) {
        if (command instanceof Reserve || command instanceof Restock) {
            if (waiting.isFull()) {
                replyTo(command).tell(new Failed("keeper busy: " + waiting.size() + " commands waiting", false));
            } else {
                waiting.stash(command);
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> next() {
        return waiting.unstashAll(idle());
    }

    private static ActorRef<Reply> replyTo(Command command) {
        if (command instanceof Reserve r) return r.replyTo();
        return ((Restock) command).replyTo();
    }
}
