package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.SplitRequest;

/** Whether a split request makes sense for a region; checked before proposing and again when applying. */
public final class SplitChecks {

    private SplitChecks() {}

    /** A description of what is wrong, or null when the split is valid. */
    public static String problem(Region region, SplitRequest split) {
        if (split.getSplitKey().isEmpty()) {
            return "split key must not be empty";
        }
        if (KeyRanges.compare(split.getSplitKey(), region.getStartKey()) <= 0
                || !KeyRanges.inRange(split.getSplitKey(), region.getStartKey(), region.getEndKey())) {
            return "split key " + KeyRanges.printable(split.getSplitKey()) + " is not strictly inside region "
                    + region.getId();
        }
        if (split.getNewRegionId() == 0 || split.getNewRegionId() == region.getId()) {
            return "split needs a new region id, got " + split.getNewRegionId();
        }
        if (split.getNewPeerIdsCount() != region.getPeersCount()) {
            return "split needs one new peer id per peer (" + region.getPeersCount() + "), got "
                    + split.getNewPeerIdsCount();
        }
        for (long id : split.getNewPeerIdsList()) {
            if (id == 0) return "new peer ids must not be 0";
        }
        return null;
    }
}
