package io.regionkv.raft;

/** Outcome of sending a snapshot, reported to the leader through {@link RawNode#reportSnapshot}. */
public enum SnapshotStatus {
    FINISH,
    FAILURE
}
