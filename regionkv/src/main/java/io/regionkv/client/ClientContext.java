package io.regionkv.client;

import io.regionkv.transport.StoreDirectory;
import java.util.Random;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * What every call of one client shares: the actor system, where stores are, the region cache, pacing, and
 * the address answers come back to.
 */
record ClientContext(ActorSystem<?> system, StoreDirectory directory, RegionCache cache, Backoff backoff,
        ClientSettings settings, Random random, ReplyRouter replies, SchedulerLookup schedulerLookup) {

    Scheduler scheduler() {
        return system.scheduler();
    }

    ExecutionContext executor() {
        return system.executionContext();
    }

    /**
     * Where the client's callbacks on asks run. Pekko's {@code AskPattern} answers a Scala-converted
     * {@code CompletionStage} that turns even {@code whenComplete} into {@code whenCompleteAsync} on the
     * JDK's default async pool, which on a machine with fewer than three cores starts a new thread per
     * callback (tens of thousands a second under load). Naming the executor keeps them on the dispatcher.
     */
    Executor callbacks() {
        return system.executionContext();
    }
}
