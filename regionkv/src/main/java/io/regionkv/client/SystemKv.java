package io.regionkv.client;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The {@code sys} column family, through raft like any data, for RegionKV's own components (the
 * scheduler's high-water marks). Clients cannot name {@code sys}; this is the only door to it.
 */
public final class SystemKv {

    private final RegionKvClient client;

    public SystemKv(RegionKvClient client) {
        this.client = client;
    }

    public CompletionStage<Optional<ByteString>> get(ByteString key) {
        return client.getAnyCf(Db.SYS.dbName(), key);
    }

    public CompletionStage<Void> put(ByteString key, ByteString value) {
        return client.putAnyCf(Db.SYS.dbName(), key, value);
    }
}
