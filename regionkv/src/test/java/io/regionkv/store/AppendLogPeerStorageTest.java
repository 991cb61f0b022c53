package io.regionkv.store;

import io.regionkv.engine.raftlog.RaftLogLayout;

/** Every case of {@link PeerStorageTest} on the append-only raft log. */
class AppendLogPeerStorageTest extends PeerStorageTest {
    @Override
    RaftLogLayout layout() {
        return RaftLogLayout.APPEND;
    }
}
