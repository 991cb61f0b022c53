package io.regionkv.store;

import io.regionkv.engine.Engines;
import io.regionkv.store.writer.WriterCommand;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.ReplyOutbox;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every peer of a store shares: the engines, the writers that own them, the transport, settings, the
 * scheduler (its singleton proxy) with the heartbeat and split settings, the store's metrics, the
 * store's raft clock ({@link RaftTicker}), which ticks only the peers that are awake, and the outbox their
 * answers to clients leave by.
 */
record PeerContext(
        StoreSettings settings,
        FlowControlSettings flowControl,
        Engines engines,
        ActorRef<WriterCommand> raftLogWriter,
        ActorRef<WriterCommand> kvWriter,
        RaftTransport transport,
        ActorRef<StoreCommand> store,
        ActorRef<io.regionkv.scheduler.SchedulerCommand> scheduler,
        PlacementSettings placement,
        StoreMetrics metrics,
        ActorRef<RaftTicker.Command> ticker,
        ReplyOutbox replies) {}
