package io.regionkv.store;

import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Vote requests of a region born of a split that reached this store before the split was applied here.
 *
 * <p>The parent's leader applies a split first and its new peer campaigns at once; its vote request
 * usually reaches the other stores before they apply the split (they learn the commit a round later,
 * and under load their apply queue is longer). Such a store still has the parent covering the range, so
 * it cannot create the new peer, and the vote is dropped: the candidate then waits a whole election
 * timeout before asking again, and the new region serves nothing meanwhile (seen under load in a CI run:
 * every writer of a split-born region stuck for about 9 s). Like TiKV, the store keeps the request and
 * hands it to the new peer when the split creates it here, so the election finishes as soon as a quorum
 * has applied the split.
 *
 * <p>Only the newest request per region is kept (a later one, of a later campaign, makes the earlier
 * moot), for at most {@link #MAX_REGIONS} regions: a request nobody claims, because the split never
 * reaches this store, is pushed out by newer ones. Owned by the store actor; not thread-safe.
 */
final class EarlySplitVotes {

    static final int MAX_REGIONS = 256;

    private final Map<Long, RaftMessage> byRegion = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, RaftMessage> eldest) {
            return size() > MAX_REGIONS;
        }
    };

    /**
     * Keeps {@code m} if it is a vote request of a region newer than the local region {@code covering}
     * that overlaps it, which is what a split not yet applied here looks like. Answers whether it kept it.
     */
    boolean holdIfEarly(RaftMessage m, Region covering) {
        MessageType t = m.getMessage().getMsgType();
        if (t != MessageType.MsgRequestVote && t != MessageType.MsgRequestPreVote) return false;
        if (m.getRegionEpoch().getVersion() <= covering.getRegionEpoch().getVersion()) return false;
        byRegion.remove(m.getRegionId()); // re-inserted last: the newest is evicted last
        byRegion.put(m.getRegionId(), m);
        return true;
    }

    /** The request kept for {@code regionId} addressed to peer {@code peerId}, removed; empty if none. */
    Optional<RaftMessage> take(long regionId, long peerId) {
        RaftMessage m = byRegion.get(regionId);
        if (m == null || m.getToPeer().getId() != peerId) return Optional.empty();
        byRegion.remove(regionId);
        return Optional.of(m);
    }

    int size() {
        return byRegion.size();
    }
}
