package io.regionkv.client;

import io.regionkv.transport.StoreWire;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Watches the stores a client sends to and reports each one whose actor terminates, so that the client
 * stops waiting for answers that will never come.
 *
 * <p>Why: a write has no attempt timeout (resending it could apply it twice), so without this a write in
 * flight to a node that shut down or was removed after a crash waited for the caller's whole request
 * timeout. Pekko's death watch fires when the remote actor stops, or when its node leaves or is removed
 * from the cluster; it does not fire when a node is merely unreachable (a GC pause), which is right: raft
 * and the client keep talking to such a store.
 */
final class StoreDeathWatch {

    private StoreDeathWatch() {}

    /** Asks the watcher to watch one store (the router asks once per store reference). */
    record Watch(ActorRef<StoreWire> store) {}

    /** @param onStopped called on the watcher's thread with the store that terminated */
    static Behavior<Watch> create(Consumer<ActorRef<Void>> onStopped) {
        return Behaviors.setup(ctx -> Behaviors.receive(Watch.class)
                .onMessage(Watch.class, w -> {
                    ctx.watch(w.store()); // watching a watched actor again changes nothing
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, t -> {
                    onStopped.accept(t.getRef());
                    return Behaviors.same();
                })
                .build());
    }
}
