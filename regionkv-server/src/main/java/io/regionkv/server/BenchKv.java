package io.regionkv.server;

import io.regionkv.RegionKV;
import com.google.protobuf.ByteString;
import java.util.concurrent.CompletionStage;

/**
 * The two operations {@code regionkv bench} measures, whichever way it reaches the cluster: the Java
 * client of a cluster member ({@link RegionKV}), or plain gRPC calls to the nodes' API ({@link GrpcBenchKv}).
 */
interface BenchKv {

    CompletionStage<Void> put(ByteString key, ByteString value);

    /** A linearizable read; what it found does not matter to the bench. */
    CompletionStage<?> get(ByteString key);

    static BenchKv of(RegionKV kv) {
        return new BenchKv() {
            @Override
            public CompletionStage<Void> put(ByteString key, ByteString value) {
                return kv.put(key, value);
            }

            @Override
            public CompletionStage<?> get(ByteString key) {
                return kv.get(key);
            }
        };
    }
}
