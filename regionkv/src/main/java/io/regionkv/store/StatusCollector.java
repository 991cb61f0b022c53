package io.regionkv.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Asks each peer for its status and answers once all replied or the timeout passed (per-request child). */
final class StatusCollector {

    private StatusCollector() {}

    private enum Timeout { INSTANCE }

    static Behavior<Object> create(List<ActorRef<PeerCommand>> peers, ActorRef<List<PeerStatus>> replyTo,
            Duration timeout) {
        return Behaviors.<Object>setup(ctx -> {
            List<PeerStatus> got = new ArrayList<>();
            if (peers.isEmpty()) {
                replyTo.tell(List.of());
                return Behaviors.stopped();
            }
            ActorRef<PeerStatus> self = ctx.getSelf().narrow();
            for (ActorRef<PeerCommand> p : peers) p.tell(new PeerCommand.GetStatus(self));
            ctx.scheduleOnce(timeout, ctx.getSelf(), Timeout.INSTANCE);
            return Behaviors.receive(Object.class)
                    .onMessage(PeerStatus.class, s -> {
                        got.add(s);
                        if (got.size() == peers.size()) {
                            replyTo.tell(List.copyOf(got));
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(Timeout.INSTANCE, () -> {
                        replyTo.tell(List.copyOf(got));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }
}
