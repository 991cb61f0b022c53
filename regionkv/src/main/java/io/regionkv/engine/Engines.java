package io.regionkv.engine;

import java.nio.file.Path;

/** The two environments of a store: {@code <dataDir>/raft} and {@code <dataDir>/kv}. */
public record Engines(Engine raft, Engine kv) implements AutoCloseable {

    public static Engines open(Path dataDir, EngineConfig config) {
        Engine raft = Engine.open(EngineKind.RAFT, dataDir.resolve(EngineKind.RAFT.dirName()), config);
        try {
            return new Engines(raft, Engine.open(EngineKind.KV, dataDir.resolve(EngineKind.KV.dirName()), config));
        } catch (RuntimeException e) {
            raft.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            raft.close();
        } finally {
            kv.close();
        }
    }
}
