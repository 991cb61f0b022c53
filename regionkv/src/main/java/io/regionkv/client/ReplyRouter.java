package io.regionkv.client;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Sends commands to stores with one long-lived reply address per client, and hands each answer to the
 * attempt that waits for it, found by the request's uuid (stores echo it in every response header).
 *
 * <p>Why not {@code AskPattern}: an ask creates a temporary actor per request, schedules its timeout, and
 * makes the store resolve a never-seen actor path from text on every message (a URI parse and a cache
 * miss). Measured under load that was a tenth of the CPU a remote request cost. A fixed reply address is
 * resolved once and then found in Pekko's cache.
 *
 * <p>Every attempt gets a fresh uuid ({@link #nextUuid}), so a late answer to an attempt that already gave
 * up finds nobody waiting and is dropped, as it was with a dead temporary actor.
 */
final class ReplyRouter {

    private final ConcurrentHashMap<ByteString, CompletableFuture<RaftCmdResponse>> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ActorRef<StoreWire>, CommandOutbox> outboxes = new ConcurrentHashMap<>();
    private final ActorSystem<?> system;
    private final ActorRef<CommandReply> inbox;
    private final long prefix;
    private final AtomicLong sequence = new AtomicLong();

    ReplyRouter(ActorSystem<?> system, Random random) {
        this.system = system;
        this.prefix = random.nextLong();
        // Several clients may share a system (and a seeded random): the name only has to be unique.
        this.inbox = system.systemActorOf(inbox(waiting), "regionkv-client-replies-" + java.util.UUID.randomUUID(),
                Props.empty());
    }

    /** Unique among this router's attempts: a random per-client prefix and a counter. */
    ByteString nextUuid() {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(prefix).putLong(sequence.incrementAndGet()).array());
    }

    /**
     * Sends {@code request} (whose header uuid must come from {@link #nextUuid}) to {@code store}. The
     * answer completes the result; without one within {@code timeout} it fails with {@link TimeoutException}.
     */
    CompletableFuture<RaftCmdResponse> send(ActorRef<StoreWire> store, RaftCmdRequest request, Duration timeout) {
        ByteString uuid = request.getHeader().getUuid();
        CompletableFuture<RaftCmdResponse> answer = new CompletableFuture<>();
        if (waiting.putIfAbsent(uuid, answer) != null) {
            throw new IllegalStateException("uuid of a request already waiting for its answer");
        }
        Cancellable timer = system.scheduler().scheduleOnce(timeout, () -> {
            if (waiting.remove(uuid, answer)) {
                answer.completeExceptionally(new TimeoutException("no answer within " + timeout.toMillis() + " ms"));
            }
        }, system.executionContext());
        answer.whenComplete((r, e) -> timer.cancel());
        // A store that restarts gets a new reference and so a new outbox; the old one is a few idle objects.
        outboxes.computeIfAbsent(store, s -> new CommandOutbox(s, inbox, system.executionContext())).send(request);
        return answer;
    }

    private static Behavior<CommandReply> inbox(ConcurrentHashMap<ByteString, CompletableFuture<RaftCmdResponse>> waiting) {
        return Behaviors.receive((ctx, reply) -> {
            for (RaftCmdResponse response : reply.responses()) {
                CompletableFuture<RaftCmdResponse> answer = waiting.remove(response.getHeader().getUuid());
                if (answer != null) {
                    answer.complete(response);
                }
            }
            return Behaviors.same();
        });
    }
}
