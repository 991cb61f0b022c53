package io.regionkv.store.apply;

import com.google.protobuf.ByteString;
import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;

/**
 * The user keys a command touches, checked against a region's range: once when the command arrives, and
 * again for a read when it is served, since a split applied while it waited may have moved its key.
 */
public final class CommandKeys {

    private CommandKeys() {}

    /** The first key of {@code req} outside {@code region}, or null when all are inside. */
    public static ByteString keyOutside(RaftCmdRequest req, Region region) {
        for (Request r : req.getRequestsList()) {
            ByteString key = keyOf(r);
            if (key != null && !KeyRanges.inRange(key, region.getStartKey(), region.getEndKey())) return key;
        }
        return null;
    }

    private static ByteString keyOf(Request r) {
        return switch (r.getCmdType()) {
            case Get -> r.getGet().getKey();
            case Put -> r.getPut().getKey();
            case Delete -> r.getDelete().getKey();
            case Scan -> r.getScan().getStartKey().isEmpty() ? null : r.getScan().getStartKey();
            default -> null;
        };
    }
}
