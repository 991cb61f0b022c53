package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import io.regionkv.engine.Engine;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.store.snapshot.SnapshotFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A peer's child on the io dispatcher that measures the peer's region: bytes and keys of every column
 * family from one read view (a consistent cut, and LMDB readers never wait for the writer), and, when the
 * region is past {@code region-max-size} or {@code region-max-keys}, the keys that cut it into pieces of
 * about {@code region-split-size} / {@code region-split-keys}. The walk can take a while on a large region,
 * which is why it is not on the peer's thread. The peer sends one check at a time, so its mailbox holds
 * at most one message.
 */
final class SplitChecker {

    /** Measure {@code region} and answer the peer with {@link PeerCommand.SplitCheckDone}. */
    record Check(Region region, ActorRef<PeerCommand> replyTo) {}

    private SplitChecker() {}

    static Behavior<Check> create(Engine kv, PlacementSettings settings) {
        return Behaviors.receiveMessage(check -> {
            PeerCommand.SplitCheckDone done;
            try {
                done = measure(kv, settings, check.region());
            } catch (RuntimeException e) {
                done = new PeerCommand.SplitCheckDone(check.region().getRegionEpoch(), 0, 0, List.of(), e.toString());
            }
            check.replyTo().tell(done);
            return Behaviors.same();
        });
    }

    static PeerCommand.SplitCheckDone measure(Engine kv, PlacementSettings s, Region region) {
        byte[] start = region.getStartKey().toByteArray();
        byte[] end = region.getEndKey().toByteArray();
        long[] totals = new long[2]; // bytes, keys
        List<ByteString> cuts = new ArrayList<>();
        try (ReadView view = kv.readView()) {
            // Split keys come from the default column family, which holds the values; the others (locks,
            // commit records, system state) count towards the size but are small beside it.
            long[] piece = new long[2];
            view.forEach(Db.DEFAULT, start, end, false, (key, value) -> {
                if (piece[0] >= s.regionSplitSize() || piece[1] >= s.regionSplitKeys()) {
                    cuts.add(ByteString.copyFrom(key)); // this key starts the next piece
                    piece[0] = 0;
                    piece[1] = 0;
                }
                long size = key.length + value.length;
                piece[0] += size;
                piece[1]++;
                totals[0] += size;
                totals[1]++;
                return true;
            });
            for (Db cf : SnapshotFormat.COLUMN_FAMILIES) {
                if (cf == Db.DEFAULT) continue;
                view.forEach(cf, start, end, false, (key, value) -> {
                    totals[0] += key.length + value.length;
                    totals[1]++;
                    return true;
                });
            }
        }
        boolean tooLarge = totals[0] > s.regionMaxSize() || totals[1] > s.regionMaxKeys();
        return new PeerCommand.SplitCheckDone(region.getRegionEpoch(), totals[0], totals[1],
                tooLarge ? List.copyOf(cuts) : List.of(), null);
    }
}
