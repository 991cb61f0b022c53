package io.regionkv.raft.sim;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.nio.ByteBuffer;

/**
 * A node's state machine: the history of applied entries, folded into a 64-bit digest (so that two
 * replicas agree on the whole history iff their digests agree, up to hash collisions), plus the
 * membership that the applied conf changes produced. Everything here counts as durable: a crash keeps it,
 * like a kv engine whose apply batch is committed before {@code advanceApply} is called.
 */
final class StateMachine {
    private long appliedIndex;
    private long digest;
    private ConfState confState;
    private long appliedEntries;

    StateMachine(long appliedIndex, long digest, ConfState confState) {
        this.appliedIndex = appliedIndex;
        this.digest = digest;
        this.confState = confState;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    long digest() {
        return digest;
    }

    ConfState confState() {
        return confState;
    }

    long appliedEntries() {
        return appliedEntries;
    }

    void apply(Entry e) {
        digest = fold(digest, e);
        appliedIndex = e.getIndex();
        appliedEntries++;
    }

    void setConfState(ConfState confState) {
        this.confState = confState;
    }

    /** The state as snapshot data: applied index and digest. */
    ByteString snapshotData() {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(appliedIndex).putLong(digest).array());
    }

    /** Replaces the state by a snapshot's; returns its digest. */
    long restore(Snapshot s) {
        ByteBuffer b = s.getData().asReadOnlyByteBuffer();
        long index = b.getLong();
        long d = b.getLong();
        if (index != s.getMetadata().getIndex()) {
            throw new SafetyViolation(SafetyViolation.Property.RAFT_CONTRACT,
                    "snapshot metadata says index " + s.getMetadata().getIndex() + " but its data was taken at " + index);
        }
        appliedIndex = index;
        digest = d;
        confState = s.getMetadata().getConfState();
        return d;
    }

    static long fold(long digest, Entry e) {
        long h = digest * 0x9E3779B97F4A7C15L + e.getIndex();
        h ^= e.getTerm() * 0xC2B2AE3D27D4EB4FL;
        h = h * 31 + e.getEntryTypeValue();
        h = h * 31 + e.getData().hashCode();
        // murmur3's finalizer: spreads every input bit over the result.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
