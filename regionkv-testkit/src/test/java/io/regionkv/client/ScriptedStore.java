package io.regionkv.client;

import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.RegionLookup;
import io.regionkv.transport.RegionLookupReply;
import io.regionkv.transport.StoreWire;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A stand-in store inbox whose answers a test scripts: it records every command and look-up it gets
 * and answers each through a function (an empty answer means silence). It tests the client's own retry
 * logic; end-to-end tests against the real store live with the raftstore.
 */
final class ScriptedStore {

    final long storeId;
    final LinkedBlockingQueue<CommandEnvelope> commands = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<RegionLookup> lookups = new LinkedBlockingQueue<>();
    private final AtomicInteger commandCount = new AtomicInteger();

    /** (command, how many commands came before it) → the answer, or empty for none. Silent by default. */
    volatile BiFunction<CommandEnvelope, Integer, Optional<RaftCmdResponse>> onCommand = (c, n) -> Optional.empty();

    /** Answers that this store holds no region for the key, by default. */
    volatile Function<RegionLookup, Optional<RegionLookupReply>> onLookup;

    ScriptedStore(long storeId) {
        this.storeId = storeId;
        this.onLookup = l -> Optional.of(new RegionLookupReply(storeId, Optional.empty(), Optional.empty()));
    }

    Behavior<StoreWire> behavior() {
        return Behaviors.receive(StoreWire.class)
                .onMessage(CommandEnvelope.class, envelope -> {
                    // The client may fold several commands into one envelope; the script sees them one by one.
                    for (var request : envelope.requests()) {
                        CommandEnvelope c = CommandEnvelope.of(request, envelope.replyTo());
                        int n = commandCount.getAndIncrement();
                        commands.add(c);
                        onCommand.apply(c, n).ifPresent(r -> c.replyTo().tell(CommandReply.of(r)));
                    }
                    return Behaviors.same();
                })
                .onMessage(RegionLookup.class, l -> {
                    lookups.add(l);
                    onLookup.apply(l).ifPresent(r -> l.replyTo().tell(r));
                    return Behaviors.same();
                })
                .build();
    }
}
