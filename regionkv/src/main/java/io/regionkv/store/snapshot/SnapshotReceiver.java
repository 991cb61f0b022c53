package io.regionkv.store.snapshot;

import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.SnapshotChunk;
import io.regionkv.store.StoreCommand;
import io.regionkv.store.StoreMetrics;
import io.regionkv.transport.SnapshotChunkAck;
import io.regionkv.transport.SnapshotChunkEnvelope;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Receives one snapshot stream into a temporary file (a child of the store, on the io dispatcher). Each
 * chunk is acknowledged after it is written; the last one only after the whole file's checksum matched
 * and the file is durable under its final name, when the store gets the raft {@code MsgSnapshot} to
 * route to the peer. A stream that breaks (a gap, a bad checksum, silence) is dropped with its file.
 */
public final class SnapshotReceiver {

    public sealed interface Command {}

    public record Chunk(SnapshotChunkEnvelope envelope) implements Command {}

    private enum Idle implements Command { INSTANCE }

    private SnapshotReceiver() {}

    public static Behavior<Command> create(Path dataDir, RaftMessage message, ActorRef<StoreCommand> store, Duration idleTimeout,
            StoreMetrics metrics) {
        var md = message.getMessage().getSnapshot().getMetadata();
        Path target = SnapshotFiles.received(dataDir, message.getRegionId(), md.getTerm(), md.getIndex());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Files.createDirectories(target.getParent());
            // A FileChannel, so that the file can be fsynced (force) before it is published.
            FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            OutputStream out = Channels.newOutputStream(channel);
            int[] expected = {0};
            boolean[] done = {false};
            timers.startSingleTimer(Idle.INSTANCE, idleTimeout);
            return Behaviors.receive(Command.class)
                    .onMessage(Chunk.class, c -> {
                        SnapshotChunk chunk = c.envelope().chunk();
                        ActorRef<SnapshotChunkAck> ackTo = c.envelope().ackTo();
                        if (chunk.getSeq() < expected[0]) {
                            ack(ackTo, chunk, true, null); // a duplicate: written already
                            return Behaviors.same();
                        }
                        if (chunk.getSeq() > expected[0]) {
                            ack(ackTo, chunk, false, "expected chunk " + expected[0] + ", got " + chunk.getSeq());
                            return Behaviors.stopped();
                        }
                        timers.startSingleTimer(Idle.INSTANCE, idleTimeout);
                        try {
                            out.write(chunk.getData().toByteArray());
                            expected[0]++;
                            metrics.snapshotBytesReceived(chunk.getData().size());
                            if (!chunk.getLast()) {
                                ack(ackTo, chunk, true, null);
                                return Behaviors.same();
                            }
                            out.flush();
                            channel.force(true);
                            out.close();
                            if (SnapshotFormat.checksumOf(tmp) != chunk.getChecksum()) {
                                ack(ackTo, chunk, false, "checksum mismatch");
                                return Behaviors.stopped();
                            }
                            SnapshotFormat.publish(tmp, target);
                            done[0] = true;
                            ack(ackTo, chunk, true, null);
                            store.tell(new StoreCommand.SnapshotReceived(message));
                            return Behaviors.stopped();
                        } catch (IOException e) {
                            ack(ackTo, chunk, false, "cannot write snapshot: " + e.getMessage());
                            return Behaviors.stopped();
                        }
                    })
                    .onMessageEquals(Idle.INSTANCE, Behaviors::stopped)
                    .onSignal(PostStop.class, s -> {
                        try {
                            out.close();
                            if (!done[0]) Files.deleteIfExists(tmp);
                        } catch (IOException ignored) {
                            // the next stream overwrites it
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static void ack(ActorRef<SnapshotChunkAck> to, SnapshotChunk chunk, boolean ok, String error) {
        to.tell(new SnapshotChunkAck(chunk.getRegionId(), chunk.getSnapshotIndex(), chunk.getSeq(), ok, error));
    }
}
