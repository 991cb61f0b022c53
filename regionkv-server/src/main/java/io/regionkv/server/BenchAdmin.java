package io.regionkv.server;

import io.regionkv.RegionKV;
import com.google.protobuf.ByteString;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The admin calls {@code regionkv bench --regions N} needs to shape the cluster before it measures:
 * the scheduler's directory, splits and leader transfers, through whichever way the bench reaches the
 * cluster (the Java client of a member, or the gRPC API of the nodes).
 */
interface BenchAdmin {

    /** A region as the scheduler's directory knows it, and its leader if one reported. */
    record Placed(Region region, Optional<Peer> leader) {}

    /** Every region the directory knows, in key order. */
    CompletionStage<List<Placed>> regions();

    /** Splits the region holding {@code key} at {@code key}; ids come from the scheduler. */
    CompletionStage<Void> split(ByteString key);

    /** Moves region {@code regionId}'s leadership to its peer on {@code storeId}. */
    CompletionStage<Void> transferLeader(long regionId, long storeId);

    static BenchAdmin of(RegionKV kv) {
        return new BenchAdmin() {
            @Override
            public CompletionStage<List<Placed>> regions() {
                return kv.regions().thenApply(rs -> rs.stream().map(r -> new Placed(r.region(), r.leader())).toList());
            }

            @Override
            public CompletionStage<Void> split(ByteString key) {
                return kv.split(key);
            }

            @Override
            public CompletionStage<Void> transferLeader(long regionId, long storeId) {
                return kv.transferLeader(regionId, storeId);
            }
        };
    }
}
