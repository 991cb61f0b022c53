package io.regionkv.client;

import io.regionkv.transport.StoreDirectory;
import java.util.Random;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/** What every call of one client shares: the actor system, where stores are, the region cache, pacing. */
record ClientContext(ActorSystem<?> system, StoreDirectory directory, RegionCache cache, Backoff backoff,
        ClientSettings settings, Random random) {

    Scheduler scheduler() {
        return system.scheduler();
    }

    ExecutionContext executor() {
        return system.executionContext();
    }
}
