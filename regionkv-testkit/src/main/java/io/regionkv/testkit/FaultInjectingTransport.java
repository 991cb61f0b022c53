package io.regionkv.testkit;

import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.SnapshotChunkEnvelope;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.time.Duration;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * A {@link RaftTransport} that applies {@link NetworkFaults} before handing a message to the real
 * transport. Messages are judged by the sending and receiving store ids, like a network between
 * machines; a store always reaches itself.
 */
public final class FaultInjectingTransport implements RaftTransport {

    private final RaftTransport inner;
    private final NetworkFaults faults;
    private final Scheduler scheduler;
    private final ExecutionContext executor;

    public FaultInjectingTransport(RaftTransport inner, NetworkFaults faults, Scheduler scheduler,
            ExecutionContext executor) {
        this.inner = inner;
        this.faults = faults;
        this.scheduler = scheduler;
        this.executor = executor;
    }

    @Override
    public void send(RaftMessage message) {
        faults.countRaftMessage();
        long from = message.getFromPeer().getStoreId();
        long to = message.getToPeer().getStoreId();
        if (!faults.canTalk(from, to) || faults.shouldDrop()) {
            return;
        }
        deliver(message);
        if (faults.shouldDuplicate()) {
            deliver(message);
        }
    }

    /** What passes the faults is batched by the inner transport's gate. */
    @Override
    public io.regionkv.transport.SendGate gate() {
        return inner.gate();
    }

    @Override
    public void sendSnapshotChunk(long toStoreId, SnapshotChunkEnvelope chunk) {
        if (!faults.canTalk(chunk.fromStoreId(), toStoreId) || faults.shouldDrop()) {
            return;
        }
        long delay = faults.delayMillis();
        if (delay == 0) {
            inner.sendSnapshotChunk(toStoreId, chunk);
        } else {
            scheduler.scheduleOnce(Duration.ofMillis(delay), () -> inner.sendSnapshotChunk(toStoreId, chunk), executor);
        }
    }

    private void deliver(RaftMessage message) {
        long delay = faults.delayMillis(message.getRegionId());
        if (delay == 0) {
            inner.send(message);
        } else {
            scheduler.scheduleOnce(Duration.ofMillis(delay), () -> inner.send(message), executor);
        }
    }
}
