package io.regionkv.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.engine.CorruptedDataException;
import io.regionkv.engine.Db;
import io.regionkv.engine.Keys;
import io.regionkv.engine.KeySpan;
import io.regionkv.engine.KeyValue;
import io.regionkv.engine.ReadView;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.PeerState;
import io.regionkv.proto.RaftServerpb.RaftApplyState;
import io.regionkv.proto.RaftServerpb.RegionLocalState;
import io.regionkv.proto.RaftServerpb.StoreIdent;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's persisted states in the kv environment under their keys: reads from a {@link ReadView},
 * writes into a {@link WriteBatch} (a writer actor commits it). A missing state reads as {@code null}. The
 * raft states live in the raft log ({@code RaftLogStore}).
 */
public final class Meta {
    private Meta() {}

    public static RaftApplyState applyState(ReadView kvView, long regionId) {
        return kvView.get(Db.META, Keys.applyStateKey(regionId), RaftApplyState.parser());
    }

    public static RegionLocalState regionLocalState(ReadView kvView, long regionId) {
        return kvView.get(Db.META, Keys.regionStateKey(regionId), RegionLocalState.parser());
    }

    public static StoreIdent storeIdent(ReadView kvView) {
        return kvView.get(Db.META, Keys.storeIdentKey(), StoreIdent.parser());
    }

    /** Every region state of the store, by region id: what a store loads on start. */
    public static List<RegionLocalState> regionLocalStates(ReadView kvView) {
        List<RegionLocalState> out = new ArrayList<>();
        KeySpan span = Keys.regionStateSpan();
        for (KeyValue kv : kvView.scan(Db.META, span, Integer.MAX_VALUE)) {
            Keys.regionIdOfRegionStateKey(kv.key()); // checks the key's shape
            try {
                out.add(RegionLocalState.parseFrom(kv.value()));
            } catch (InvalidProtocolBufferException e) {
                throw new CorruptedDataException("undecodable region state", e);
            }
        }
        return out;
    }

    public static void putApplyState(WriteBatch kvBatch, long regionId, RaftApplyState state) {
        kvBatch.put(Db.META, Keys.applyStateKey(regionId), state);
    }

    public static void putRegionState(WriteBatch kvBatch, Region region, PeerState state) {
        kvBatch.put(Db.META, Keys.regionStateKey(region.getId()),
                RegionLocalState.newBuilder().setState(state).setRegion(region).build());
    }

    public static void putStoreIdent(WriteBatch kvBatch, StoreIdent ident) {
        kvBatch.put(Db.META, Keys.storeIdentKey(), ident);
    }
}
