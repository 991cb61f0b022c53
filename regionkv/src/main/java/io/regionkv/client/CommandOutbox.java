package io.regionkv.client;

import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.transport.BurstBatcher;
import io.regionkv.transport.CommandEnvelope;
import io.regionkv.transport.CommandReply;
import io.regionkv.transport.StoreWire;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The commands a client sends to one store, folded into as few {@link CommandEnvelope}s as a burst
 * allows. A remote message costs a store tens of microseconds however small it is (framing, dispatch,
 * protobuf), so under load one envelope per command would cost more than the commands themselves.
 *
 * <p>Batching adds no waiting ({@link BurstBatcher}): the first command that finds the outbox idle schedules a flush on the
 * dispatcher, and whatever other commands are issued before that flush runs (typically by callbacks of
 * answers that arrived in the same reply) travel with it. With one command in flight an envelope carries
 * one command, after one extra hop through the dispatcher.
 *
 * <p>An envelope stays under {@link #MAX_BYTES} (well inside Artery's 256 KiB frame) and
 * {@link #MAX_COMMANDS}; a single larger command travels alone.
 */
final class CommandOutbox {

    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_COMMANDS = 256;

    private final BurstBatcher<RaftCmdRequest> batcher;

    CommandOutbox(ActorRef<StoreWire> store, ActorRef<CommandReply> replyTo, Executor executor) {
        this.batcher = new BurstBatcher<>(executor, MAX_BYTES, MAX_COMMANDS, RaftCmdRequest::getSerializedSize,
                batch -> store.tell(new CommandEnvelope(batch, replyTo)));
    }

    void send(RaftCmdRequest request) {
        batcher.add(request);
    }
}
