package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.SnapshotChunk;
import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.SnapshotChunkAck;
import io.regionkv.transport.SnapshotChunkEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Streams one snapshot file to the store of the target peer, a chunk at a time: each chunk waits for the
 * receiver's acknowledgement, so the stream never floods Artery and a lost chunk turns into a timeout.
 * The first chunk carries the raft {@code MsgSnapshot}; the last ack means the receiver checked the file's
 * checksum. The outcome goes back to the peer, which reports it to raft. Runs on the io dispatcher.
 */
final class SnapshotSender {

    /** Well under Artery's 256 KiB frame, envelope included. */
    static final int CHUNK_BYTES = 128 * 1024;

    sealed interface Command {}

    private record Acked(SnapshotChunkAck ack) implements Command {}

    private enum AckTimeout implements Command { INSTANCE }

    private SnapshotSender() {}

    static Behavior<Command> create(Path file, int checksum, RaftMessage snapshotMessage, RaftTransport transport,
            ActorRef<PeerCommand> peer, Duration ackTimeout, StoreMetrics metrics) {
        long toPeer = snapshotMessage.getToPeer().getId();
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            InputStream in;
            long size;
            try {
                size = Files.size(file);
                in = Files.newInputStream(file);
            } catch (IOException e) {
                peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                return Behaviors.stopped();
            }
            ActorRef<SnapshotChunkAck> ackTo = ctx.messageAdapter(SnapshotChunkAck.class, Acked::new);
            long fromStore = snapshotMessage.getFromPeer().getStoreId();
            long toStore = snapshotMessage.getToPeer().getStoreId();
            var md = snapshotMessage.getMessage().getSnapshot().getMetadata();
            int[] seq = {0};
            long[] sent = {0};
            boolean[] last = {false};
            Runnable sendNext = () -> {
                byte[] buf;
                try {
                    buf = in.readNBytes((int) Math.min(CHUNK_BYTES, size - sent[0]));
                    sent[0] += buf.length;
                    last[0] = sent[0] >= size;
                } catch (IOException e) {
                    throw new IllegalStateException("reading snapshot " + file.getFileName(), e);
                }
                SnapshotChunk.Builder c = SnapshotChunk.newBuilder().setRegionId(snapshotMessage.getRegionId())
                        .setSnapshotTerm(md.getTerm()).setSnapshotIndex(md.getIndex()).setSeq(seq[0])
                        .setData(ByteString.copyFrom(buf)).setLast(last[0]);
                if (seq[0] == 0) c.setMessage(snapshotMessage);
                if (last[0]) c.setChecksum(checksum);
                transport.sendSnapshotChunk(toStore, new SnapshotChunkEnvelope(fromStore, c.build(), ackTo));
                metrics.snapshotBytesSent(buf.length);
                timers.startSingleTimer(AckTimeout.INSTANCE, ackTimeout);
            };
            try {
                sendNext.run();
            } catch (IllegalStateException e) {
                peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                return Behaviors.stopped(() -> close(in));
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Acked.class, a -> {
                        SnapshotChunkAck ack = a.ack();
                        if (ack.seq() != seq[0]) return Behaviors.same(); // a duplicate of an earlier ack
                        if (!ack.ok()) {
                            peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                            return Behaviors.stopped();
                        }
                        if (last[0]) {
                            peer.tell(new PeerCommand.SnapshotSent(toPeer, true));
                            return Behaviors.stopped();
                        }
                        seq[0]++;
                        try {
                            sendNext.run();
                        } catch (IllegalStateException e) {
                            peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(AckTimeout.INSTANCE, () -> {
                        peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                        return Behaviors.stopped();
                    })
                    .onSignal(PostStop.class, s -> {
                        close(in);
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing left to do with a file we only read
        }
    }
}
