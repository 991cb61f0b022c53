package io.regionkv.transport;

/** The receiver's answer to one snapshot chunk; {@code ok == false} ends the stream with {@code error}. */
public record SnapshotChunkAck(long regionId, long snapshotIndex, int seq, boolean ok, String error)
        implements WireMessage {}
