package io.regionkv.client;

import com.google.protobuf.ByteString;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Region look-ups in the scheduler's directory, the client's first source (the stores are the fallback).
 * A scheduler that does not answer (none elected yet, failing over, or none at all in this cluster) is
 * skipped for a while, so that look-ups do not each wait out its timeout.
 */
final class SchedulerLookup {

    private final Optional<ActorRef<SchedulerCommand>> scheduler;
    private final Duration timeout;
    private final long silenceNanos;
    private final AtomicLong silentUntil = new AtomicLong(System.nanoTime());

    SchedulerLookup(Optional<ActorRef<SchedulerCommand>> scheduler, Duration timeout, Duration silenceBackoff) {
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.silenceNanos = silenceBackoff.toNanos();
    }

    static SchedulerLookup none() {
        return new SchedulerLookup(Optional.empty(), Duration.ofMillis(1), Duration.ZERO);
    }

    /** Whether asking is worth it now: there is a scheduler, and it has not been silent lately. */
    boolean usable() {
        return scheduler.isPresent() && System.nanoTime() - silentUntil.get() >= 0;
    }

    Optional<ActorRef<SchedulerCommand>> scheduler() {
        return scheduler;
    }

    Duration timeout() {
        return timeout;
    }

    /** The directory's region for {@code key} (possibly none); fails on no answer within {@code wait}. */
    CompletionStage<SchedulerReply.Regions> regionFor(ByteString key, Duration wait, Scheduler timers) {
        if (scheduler.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no scheduler"));
        }
        return AskPattern.ask(scheduler.get(),
                (ActorRef<SchedulerReply.Regions> replyTo) -> new SchedulerCommand.GetRegion(key, replyTo), wait, timers);
    }

    /** The scheduler did not answer: ask the stores directly for a while. */
    void silent() {
        silentUntil.set(System.nanoTime() + silenceNanos);
    }
}
