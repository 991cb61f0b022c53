package io.regionkv.engine;

import java.nio.ByteBuffer;

/**
 * Keys of the raft and meta databases. Integers are fixed-width big-endian, so LMDB's byte order is their
 * numeric order (all ids and indexes are unsigned 64-bit, as in the protos).
 *
 * <pre>
 * store ident     0x01 0x01                      (meta)
 * raft log        0x02 regionId 0x01 index       (raft)
 * raft state      0x02 regionId 0x02             (raft)
 * vote fence      0x02 regionId 0x05             (raft)
 * apply state     0x02 regionId 0x03             (meta)
 * region state    0x03 regionId 0x01             (meta)
 * </pre>
 *
 * Everything a region owns in the raft database shares the prefix {@code 0x02 regionId}, so one range
 * covers it; region states share {@code 0x03}, so a store finds all its regions with one scan.
 */
public final class Keys {
    /** LMDB's compile-time key limit (MDB_MAXKEYSIZE); the engine checks against what the library reports. */
    public static final int LMDB_MAX_KEY_SIZE = 511;

    static final byte STORE_IDENT_PREFIX = 0x01;
    static final byte REGION_RAFT_PREFIX = 0x02;
    static final byte REGION_META_PREFIX = 0x03;

    static final byte STORE_IDENT_SUFFIX = 0x01;
    static final byte RAFT_LOG_SUFFIX = 0x01;
    static final byte RAFT_STATE_SUFFIX = 0x02;
    static final byte APPLY_STATE_SUFFIX = 0x03;
    static final byte SNAPSHOT_APPLYING_SUFFIX = 0x04;
    static final byte VOTE_FENCE_SUFFIX = 0x05;
    static final byte REGION_STATE_SUFFIX = 0x01;

    private static final int REGION_KEY_SIZE = 1 + 8 + 1;
    private static final int RAFT_LOG_KEY_SIZE = REGION_KEY_SIZE + 8;

    private Keys() {}

    public static byte[] storeIdentKey() {
        return new byte[] {STORE_IDENT_PREFIX, STORE_IDENT_SUFFIX};
    }

    public static byte[] raftLogKey(long regionId, long index) {
        return ByteBuffer.allocate(RAFT_LOG_KEY_SIZE)
                .put(REGION_RAFT_PREFIX)
                .putLong(regionId)
                .put(RAFT_LOG_SUFFIX)
                .putLong(index)
                .array();
    }

    public static byte[] raftStateKey(long regionId) {
        return regionKey(REGION_RAFT_PREFIX, regionId, RAFT_STATE_SUFFIX);
    }

    public static byte[] applyStateKey(long regionId) {
        return regionKey(REGION_RAFT_PREFIX, regionId, APPLY_STATE_SUFFIX);
    }

    /** The snapshot a region is installing (kv META), present only while its region state is Applying. */
    public static byte[] snapshotApplyingKey(long regionId) {
        return regionKey(REGION_RAFT_PREFIX, regionId, SNAPSHOT_APPLYING_SUFFIX);
    }

    /**
     * The last entry of a log the store dropped with its kv data after an OS crash (raft database): the
     * region's peer votes as if it still had that log until its log reaches it (RawNode.fenceVotesBelow).
     */
    public static byte[] voteFenceKey(long regionId) {
        return regionKey(REGION_RAFT_PREFIX, regionId, VOTE_FENCE_SUFFIX);
    }

    /** Whether {@code key} (of the raft database) is a region's raft state key; answers its region id or 0. */
    public static long regionIdOfRaftStateKey(byte[] key) {
        if (key.length != REGION_KEY_SIZE || key[0] != REGION_RAFT_PREFIX || key[9] != RAFT_STATE_SUFFIX) return 0;
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    /** Every key of the raft database that holds a region's raft state, vote fence or log. */
    public static KeySpan regionRaftSpan() {
        return new KeySpan(new byte[] {REGION_RAFT_PREFIX}, new byte[] {REGION_RAFT_PREFIX + 1});
    }

    public static byte[] regionStateKey(long regionId) {
        return regionKey(REGION_META_PREFIX, regionId, REGION_STATE_SUFFIX);
    }

    /** All raft log keys of a region, whatever the index. */
    public static KeySpan raftLogSpan(long regionId) {
        return new KeySpan(
                regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX),
                regionKey(REGION_RAFT_PREFIX, regionId, (byte) (RAFT_LOG_SUFFIX + 1)));
    }

    /**
     * Raft log keys of a region with {@code lo <= index < hi}. Indexes compare unsigned, so {@code hi = -1}
     * (2^64 − 1) reaches all but that one index, which raft never uses.
     */
    public static KeySpan raftLogSpan(long regionId, long lo, long hi) {
        return new KeySpan(raftLogKey(regionId, lo), raftLogKey(regionId, hi));
    }

    /** The region-state keys of every region. */
    public static KeySpan regionStateSpan() {
        return new KeySpan(new byte[] {REGION_META_PREFIX}, new byte[] {REGION_META_PREFIX + 1});
    }

    /** The log index of a raft log key. */
    public static long raftLogIndex(byte[] key) {
        if (key.length != RAFT_LOG_KEY_SIZE || key[0] != REGION_RAFT_PREFIX || key[9] != RAFT_LOG_SUFFIX) {
            throw new CorruptedDataException("not a raft log key: " + hex(key));
        }
        return ByteBuffer.wrap(key, REGION_KEY_SIZE, 8).getLong();
    }

    /** The region id of a region-state key. */
    public static long regionIdOfRegionStateKey(byte[] key) {
        if (key.length != REGION_KEY_SIZE || key[0] != REGION_META_PREFIX || key[9] != REGION_STATE_SUFFIX) {
            throw new CorruptedDataException("not a region state key: " + hex(key));
        }
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    private static byte[] regionKey(byte prefix, long regionId, byte suffix) {
        return ByteBuffer.allocate(REGION_KEY_SIZE).put(prefix).putLong(regionId).put(suffix).array();
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
