package io.regionkv.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Folds what many threads send to one destination at about the same time into as few batches as the
 * burst allows, without ever waiting for more: the first item that finds the batcher idle schedules a
 * flush on the executor, and whatever is added before that flush runs leaves with it. With one item in
 * flight a batch holds one item, after one extra hop through the executor. Items keep their order.
 *
 * <p>Used where a remote message costs far more than its bytes: the client's commands to a store
 * ({@code CommandOutbox}) and the raft messages between two stores ({@link RaftOutbox}). A batch stays
 * within {@code maxBytes} (as {@code sizeOf} counts) and {@code maxItems}; a single larger item goes alone.
 */
public final class BurstBatcher<T> {

    private final Executor executor;
    private final long maxBytes;
    private final int maxItems;
    private final ToLongFunction<T> sizeOf;
    private final Consumer<List<T>> emit;
    private final BooleanSupplier holds;
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    public BurstBatcher(Executor executor, long maxBytes, int maxItems, ToLongFunction<T> sizeOf,
            Consumer<List<T>> emit) {
        this(executor, maxBytes, maxItems, sizeOf, emit, () -> false);
    }

    /**
     * While {@code holds} answers true, added items wait in the queue without scheduling a flush; whoever
     * makes it false must then call {@link #release} (see {@link SendGate}).
     */
    public BurstBatcher(Executor executor, long maxBytes, int maxItems, ToLongFunction<T> sizeOf,
            Consumer<List<T>> emit, BooleanSupplier holds) {
        if (maxBytes < 1 || maxItems < 1) throw new IllegalArgumentException("batch bounds must be >= 1");
        this.holds = holds;
        this.executor = executor;
        this.maxBytes = maxBytes;
        this.maxItems = maxItems;
        this.sizeOf = sizeOf;
        this.emit = emit;
    }

    public void add(T item) {
        queue.add(item); // before asking holds(): a release that comes after the question then sees the item
        if (!holds.getAsBoolean() && flushScheduled.compareAndSet(false, true)) {
            executor.execute(this::flush);
        }
    }

    /** Schedules a flush of what waited while held, unless one is already scheduled. */
    public void release() {
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            executor.execute(this::flush);
        }
    }

    /**
     * Emits everything queued. Only one flush runs at a time (two draining at once would interleave
     * their batches and reorder items): the flag stays set while this one drains and is cleared after;
     * an item added meanwhile that found the flag set is picked up by the re-check, which schedules the
     * next flush rather than looping here, so a busy destination does not hold a dispatcher thread.
     */
    private void flush() {
        drain();
        flushScheduled.set(false);
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
            executor.execute(this::flush);
        }
    }

    private void drain() {
        List<T> batch = new ArrayList<>();
        long bytes = 0;
        for (T item = queue.poll(); item != null; item = queue.poll()) {
            long size = sizeOf.applyAsLong(item);
            if (!batch.isEmpty() && (bytes + size > maxBytes || batch.size() >= maxItems)) {
                emit.accept(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(item);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            emit.accept(batch);
        }
    }
}
