package io.regionkv.engine;

import io.regionkv.engine.raftlog.RaftLogStore;
import io.regionkv.engine.raftlog.RaftLogStores;
import java.nio.file.Path;

/**
 * A store's storage: its raft logs ({@code <dataDir>/raft} or {@code <dataDir>/raft-log}, by
 * {@link EngineConfig#raftLog()}) and its kv environment ({@code <dataDir>/kv}).
 */
public record Engines(RaftLogStore raftLog, Engine kv) implements AutoCloseable {

    public static Engines open(Path dataDir, EngineConfig config) {
        RaftLogStore raftLog = RaftLogStores.open(dataDir, config);
        try {
            return new Engines(raftLog, Engine.open(EngineKind.KV, dataDir.resolve(EngineKind.KV.dirName()), config));
        } catch (RuntimeException e) {
            raftLog.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            raftLog.close();
        } finally {
            kv.close();
        }
    }
}
