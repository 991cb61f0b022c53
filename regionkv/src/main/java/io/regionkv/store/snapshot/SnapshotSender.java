package io.regionkv.store.snapshot;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import io.regionkv.proto.RaftServerpb.SnapshotChunk;
import io.regionkv.store.PeerCommand;
import io.regionkv.store.StoreMetrics;
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
 * Streams one snapshot file to the store of the target peer in chunks, at most {@link #WINDOW} of them
 * unacknowledged, so the stream never floods Artery and a lost chunk turns into a timeout.
 * The first chunk carries the raft {@code MsgSnapshot}; the last ack means the receiver checked the file's
 * checksum. The outcome goes back to the peer, which reports it to raft. Runs on the io dispatcher.
 */
public final class SnapshotSender {

    /** Well under Artery's 256 KiB frame, envelope included. */
    static final int CHUNK_BYTES = 128 * 1024;

    /**
     * Chunks sent ahead of the receiver's acknowledgements. One at a time, each chunk waited a whole round
     * trip (the receiver writes it, the ack crosses back): on loopback about 50 MB/s for a 500 MB region.
     * A few in flight keep the receiver's disk busy while bounding what waits in Artery's queues and in
     * the receiver's mailbox (this many chunks, 1 MiB).
     */
    static final int WINDOW = 8;

    public sealed interface Command {}

    private record Acked(SnapshotChunkAck ack) implements Command {}

    private enum AckTimeout implements Command { INSTANCE }

    private SnapshotSender() {}

    public static Behavior<Command> create(Path file, int checksum, RaftMessage snapshotMessage, RaftTransport transport,
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
            long startedNanos = System.nanoTime();
            // The last chunk's seq (an empty file is one empty chunk); chunks [acked, next) are in flight.
            int lastSeq = size == 0 ? 0 : (int) ((size - 1) / CHUNK_BYTES);
            int[] next = {0};
            int[] acked = {0};
            long[] sent = {0};
            // Sends chunks until WINDOW are unacknowledged or the file is all sent.
            Runnable fill = () -> {
                while (next[0] <= lastSeq && next[0] - acked[0] < WINDOW) {
                    byte[] buf;
                    try {
                        buf = in.readNBytes((int) Math.min(CHUNK_BYTES, size - sent[0]));
                    } catch (IOException e) {
                        throw new IllegalStateException("reading snapshot " + file.getFileName(), e);
                    }
                    sent[0] += buf.length;
                    boolean last = next[0] == lastSeq;
                    SnapshotChunk.Builder c = SnapshotChunk.newBuilder().setRegionId(snapshotMessage.getRegionId())
                            .setSnapshotTerm(md.getTerm()).setSnapshotIndex(md.getIndex()).setSeq(next[0])
                            .setData(ByteString.copyFrom(buf)).setLast(last);
                    if (next[0] == 0) c.setMessage(snapshotMessage);
                    if (last) c.setChecksum(checksum);
                    transport.sendSnapshotChunk(toStore, new SnapshotChunkEnvelope(fromStore, c.build(), ackTo));
                    metrics.snapshotBytesSent(buf.length);
                    next[0]++;
                }
                timers.startSingleTimer(AckTimeout.INSTANCE, ackTimeout);
            };
            try {
                fill.run();
            } catch (IllegalStateException e) {
                peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                return Behaviors.stopped(() -> close(in));
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Acked.class, a -> {
                        SnapshotChunkAck ack = a.ack();
                        // The receiver answers chunks in order, so an ack below the window is a duplicate.
                        if (ack.seq() < acked[0] || ack.seq() >= next[0]) return Behaviors.same();
                        if (!ack.ok()) {
                            peer.tell(new PeerCommand.SnapshotSent(toPeer, false));
                            return Behaviors.stopped();
                        }
                        acked[0] = ack.seq() + 1;
                        if (ack.seq() == lastSeq) {
                            ctx.getLog().info("region {}: snapshot at index {} sent to peer {}: {} bytes in {} ms",
                                    snapshotMessage.getRegionId(), md.getIndex(), toPeer, size,
                                    (System.nanoTime() - startedNanos) / 1_000_000);
                            peer.tell(new PeerCommand.SnapshotSent(toPeer, true));
                            return Behaviors.stopped();
                        }
                        try {
                            fill.run();
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
