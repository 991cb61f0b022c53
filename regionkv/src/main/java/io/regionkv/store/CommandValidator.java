package io.regionkv.store;

import com.google.protobuf.ByteString;
import io.regionkv.engine.Db;
import io.regionkv.engine.Keys;
import io.regionkv.keys.KeyRanges;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Errorpb.Invalid.Reason;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.RaftCmdpb.AdminRequest;
import io.regionkv.proto.RaftCmdpb.ChangePeerRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.ScanRequest;

/**
 * The door: checks a client command before the store routes it to a peer, so that input no handler can
 * serve (an unknown column family, an empty or oversize key, an oversize value, an inverted scan, a bad
 * limit, a command for another store, a malformed envelope) is answered with a typed error and never
 * reaches raft, a handler or the log. Each check is pure: a refused command changes nothing.
 *
 * <p>The structural part ({@link #requestsProblem}) is also what the applier and the read handler fall back
 * on, so that an entry that slipped past the door (say, written by an older version) is refused on every
 * replica alike instead of throwing inside a peer.
 */
public final class CommandValidator {

    private final long storeId;
    private final int maxValueSize;

    CommandValidator(long storeId, int maxValueSize) {
        this.storeId = storeId;
        this.maxValueSize = maxValueSize;
    }

    /** The error to answer {@code req} with, or null when it may be routed. */
    Errorpb.Error check(RaftCmdRequest req) {
        if (!req.hasHeader()) {
            return invalid(Reason.MALFORMED_COMMAND, "the command has no header");
        }
        long target = req.getHeader().getPeer().getStoreId();
        if (target != 0 && target != storeId) {
            return RegionErrors.storeNotMatch(target, storeId);
        }
        if (req.hasAdminRequest()) {
            return req.getRequestsCount() == 0 ? adminProblem(req.getAdminRequest())
                    : invalid(Reason.MALFORMED_COMMAND, "an admin command carries no other requests");
        }
        return requestsProblem(req, maxValueSize);
    }

    /**
     * What is wrong with the requests of a non-admin command, or null. {@code maxValueSize} bounds Put
     * values; pass {@link Integer#MAX_VALUE} where only the structure matters.
     */
    public static Errorpb.Error requestsProblem(RaftCmdRequest req, int maxValueSize) {
        if (req.getRequestsCount() == 0) {
            return invalid(Reason.MALFORMED_COMMAND, "the command holds no requests");
        }
        boolean reads = false;
        boolean writes = false;
        for (Request r : req.getRequestsList()) {
            Errorpb.Error e;
            switch (r.getCmdType()) {
                case Get -> {
                    reads = true;
                    e = !r.hasGet() ? missing("Get") : keyed(r.getGet().getCf(), r.getGet().getKey());
                }
                case Scan -> {
                    reads = true;
                    e = !r.hasScan() ? missing("Scan") : scanProblem(r.getScan());
                }
                case Snap -> {
                    reads = true;
                    e = null;
                }
                case Put -> {
                    writes = true;
                    e = !r.hasPut() ? missing("Put") : keyed(r.getPut().getCf(), r.getPut().getKey());
                    if (e == null && r.getPut().getValue().size() > maxValueSize) {
                        e = invalid(Reason.VALUE_TOO_LARGE, "value of " + r.getPut().getValue().size()
                                + " bytes exceeds the limit of " + maxValueSize + " bytes");
                    }
                }
                case Delete -> {
                    writes = true;
                    e = !r.hasDelete() ? missing("Delete") : keyed(r.getDelete().getCf(), r.getDelete().getKey());
                }
                default -> e = invalid(Reason.MALFORMED_COMMAND, "unknown request type " + r.getCmdType());
            }
            if (e != null) return e;
        }
        if (reads && writes) {
            return invalid(Reason.MALFORMED_COMMAND,
                    "a command holds either reads (Get, Scan, Snap) or writes (Put, Delete), not both");
        }
        return null;
    }

    /**
     * The shape of an admin command; what depends on the region (epoch, split key, peer ids) the leader
     * checks (PeerProposals, SplitChecks). A conf change that names peer 0 would be applied by every replica,
     * so it must not get into the log.
     */
    private static Errorpb.Error adminProblem(AdminRequest admin) {
        switch (admin.getCmdType()) {
            case ChangePeer -> {
                ChangePeerRequest c = admin.getChangePeer();
                if (c.getChangeTypeValue() != ConfChangeType.AddNode_VALUE
                        && c.getChangeTypeValue() != ConfChangeType.RemoveNode_VALUE
                        && c.getChangeTypeValue() != ConfChangeType.AddLearnerNode_VALUE) {
                    return invalid(Reason.MALFORMED_COMMAND, "unknown conf change type " + c.getChangeTypeValue());
                }
                if (c.getPeer().getId() == 0 || c.getPeer().getStoreId() == 0) {
                    return invalid(Reason.MALFORMED_COMMAND, "a peer change names a peer with id and store id");
                }
                return null;
            }
            case TransferLeader -> {
                return admin.getTransferLeader().getPeer().getId() == 0
                        ? invalid(Reason.MALFORMED_COMMAND, "a leader transfer names the peer to transfer to") : null;
            }
            case Split -> {
                return admin.hasSplit() ? null : invalid(Reason.MALFORMED_COMMAND, "a Split request without its split field");
            }
            case CompactLog -> {
                return admin.hasCompactLog() ? null
                        : invalid(Reason.MALFORMED_COMMAND, "a CompactLog request without its compact_log field");
            }
            default -> {
                return invalid(Reason.UNSUPPORTED, "admin command " + admin.getCmdType() + " is not supported");
            }
        }
    }

    private static Errorpb.Error scanProblem(ScanRequest s) {
        Errorpb.Error e = columnFamily(s.getCf());
        if (e == null) e = keySize("scan start", s.getStartKey());
        if (e == null) e = keySize("scan end", s.getEndKey());
        if (e != null) return e;
        if (!s.getEndKey().isEmpty() && KeyRanges.compare(s.getStartKey(), s.getEndKey()) > 0) {
            return invalid(Reason.INVERTED_RANGE, "scan start " + KeyRanges.printable(s.getStartKey())
                    + " is after its end " + KeyRanges.printable(s.getEndKey()));
        }
        // uint32 on the wire; above Integer.MAX_VALUE it is a negative int that a Java client cannot mean.
        if (s.getLimit() <= 0) {
            return invalid(Reason.BAD_LIMIT, "scan limit must be between 1 and " + Integer.MAX_VALUE
                    + ", was " + Integer.toUnsignedString(s.getLimit()));
        }
        return null;
    }

    private static Errorpb.Error keyed(String cf, ByteString key) {
        Errorpb.Error e = columnFamily(cf);
        if (e != null) return e;
        if (key.isEmpty()) {
            return invalid(Reason.EMPTY_KEY, "keys must have at least one byte");
        }
        return keySize("key", key);
    }

    private static Errorpb.Error keySize(String what, ByteString key) {
        if (key.size() > Keys.LMDB_MAX_KEY_SIZE) {
            return invalid(Reason.KEY_TOO_LARGE, what + " of " + key.size() + " bytes exceeds the limit of "
                    + Keys.LMDB_MAX_KEY_SIZE + " bytes");
        }
        return null;
    }

    private static Errorpb.Error columnFamily(String cf) {
        return Db.commandColumnFamily(cf).isPresent() ? null
                : invalid(Reason.UNKNOWN_COLUMN_FAMILY, "unknown column family '" + cf + "'");
    }

    private static Errorpb.Error missing(String type) {
        return invalid(Reason.MALFORMED_COMMAND, "a " + type + " request without its " + type.toLowerCase() + " field");
    }

    private static Errorpb.Error invalid(Reason reason, String why) {
        return RegionErrors.invalid(reason, why);
    }
}
