package io.regionkv.client;

import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The commands a client sends to one store, folded into as few {@link CommandEnvelope}s as a burst
 * allows. A remote message costs a store tens of microseconds however small it is (framing, dispatch,
 * protobuf), so under load one envelope per command would cost more than the commands themselves.
 *
 * <p>Batching adds no waiting: the first command that finds the outbox idle schedules a flush on the
 * dispatcher, and whatever other commands are issued before that flush runs (typically by callbacks of
 * answers that arrived in the same reply) travel with it. With one command in flight an envelope carries
 * one command, after one extra hop through the dispatcher.
 *
 * <p>An envelope stays under {@link #MAX_BYTES} (well inside Artery's 256 KiB frame) and
 * {@link #MAX_COMMANDS}; a single larger command travels alone.
 */
final class CommandOutbox {

    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_COMMANDS = 256;

    private final ActorRef<StoreWire> store;
    private final ActorRef<CommandReply> replyTo;
    private final Executor executor;
    private final ConcurrentLinkedQueue<RaftCmdRequest> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    CommandOutbox(ActorRef<StoreWire> store, ActorRef<CommandReply> replyTo, Executor executor) {
        this.store = store;
        this.replyTo = replyTo;
        this.executor = executor;
    }

    void send(RaftCmdRequest request) {
        queue.add(request);
        if (flushScheduled.compareAndSet(false, true)) {
            executor.execute(this::flush);
        }
    }

    /**
     * Sends everything queued. The flag is cleared before draining, so a command queued during the drain
     * either goes out with it or schedules the next flush; it is never left behind.
     */
    private void flush() {
        flushScheduled.set(false);
        List<RaftCmdRequest> batch = new ArrayList<>();
        long bytes = 0;
        for (RaftCmdRequest r = queue.poll(); r != null; r = queue.poll()) {
            int size = r.getSerializedSize();
            if (!batch.isEmpty() && (bytes + size > MAX_BYTES || batch.size() >= MAX_COMMANDS)) {
                store.tell(new CommandEnvelope(batch, replyTo));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(r);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            store.tell(new CommandEnvelope(batch, replyTo));
        }
    }
}
