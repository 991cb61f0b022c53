package io.regionkv.api;

import io.grpc.Status;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import io.regionkv.proto.Regionkvpb.StoreStats;
import io.regionkv.scheduler.SchedulerCommand;
import io.regionkv.scheduler.SchedulerReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What the gRPC service asks the scheduler singleton (through this node's proxy): timestamps and the
 * stores' heartbeats. The scheduler's typed answers become gRPC statuses here: {@code Unavailable} (its
 * state is not loaded or saved yet, or it is moving to another node) and no answer at all are
 * {@code UNAVAILABLE}, safe to retry; {@code Refused} is {@code INVALID_ARGUMENT}.
 */
final class SchedulerCalls {

    private final ActorSystem<?> system;
    private final ActorRef<SchedulerCommand> scheduler;
    private final Duration timeout;

    SchedulerCalls(ActorSystem<?> system, ActorRef<SchedulerCommand> scheduler, Duration timeout) {
        this.system = system;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** {@code count} timestamps; the answer names the last. */
    CompletionStage<GetTimestampResponse> timestamps(int count) {
        return AskPattern.<SchedulerCommand, SchedulerReply.TsoReply>ask(scheduler,
                replyTo -> new SchedulerCommand.GetTimestamp(count, replyTo), timeout, system.scheduler())
                .handle((reply, error) -> {
                    if (error != null) throw silent(error);
                    if (reply instanceof SchedulerReply.Timestamp t) {
                        return GetTimestampResponse.newBuilder().setTimestamp(t.compose()).setPhysical(t.physical())
                                .setLogical(t.logical()).setCount(t.count()).build();
                    }
                    if (reply instanceof SchedulerReply.Refused r) {
                        throw Status.INVALID_ARGUMENT.withDescription(r.reason()).asRuntimeException();
                    }
                    String why = reply instanceof SchedulerReply.Unavailable u ? u.reason() : String.valueOf(reply);
                    throw Status.UNAVAILABLE.withDescription("the scheduler cannot answer now: " + why)
                            .asRuntimeException();
                });
    }

    /**
     * What every store said in its last heartbeat, in store id order; empty when the scheduler does not
     * answer in time, because the listing of stores is still worth having without these figures.
     */
    CompletionStage<List<StoreStats>> storeStats() {
        return AskPattern.<SchedulerCommand, SchedulerReply.Stores>ask(scheduler, SchedulerCommand.GetStores::new,
                timeout, system.scheduler())
                .handle((reply, error) -> error != null ? List.<StoreStats>of() : reply.stores().stream()
                        .map(s -> StoreStats.newBuilder().setStoreId(s.storeId()).setCapacity(s.capacity())
                                .setAvailable(s.available()).setUsed(s.used()).setRegionCount(s.regionCount())
                                .setLeaderCount(s.leaderCount()).build())
                        .toList());
    }

    private RuntimeException silent(Throwable error) {
        return Status.UNAVAILABLE.withDescription("the scheduler did not answer within " + timeout.toMillis()
                + " ms (it may be moving to another node); retry").asRuntimeException();
    }
}
