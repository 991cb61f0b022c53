package io.regionkv.store.apply;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.engine.ReadView;
import io.regionkv.proto.Errorpb;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.GetResponse;
import io.regionkv.proto.RaftCmdpb.KvPair;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdResponse;
import io.regionkv.proto.RaftCmdpb.RaftResponseHeader;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.Response;
import io.regionkv.proto.RaftCmdpb.ScanRequest;
import io.regionkv.proto.RaftCmdpb.ScanResponse;
import io.regionkv.proto.RaftCmdpb.SnapResponse;
import io.regionkv.store.CommandValidator;
import io.regionkv.store.RegionErrors;

/**
 * Serves the reads of commands from one LMDB read transaction: a consistent view that does not block
 * the writers. Runs on the peer's thread; read transactions are short and allowed anywhere.
 */
public final class ReadCommands {

    /**
     * An answer stops at this many pairs or {@link #MAX_SCAN_BYTES} of keys and values, whichever comes
     * first, and says {@code more} so the client continues after its last key: an answer must fit in one
     * Artery frame (256 KiB), or it is dropped and the client only sees a timeout.
     */
    static final int MAX_SCAN_LIMIT = 10_000;
    /** Room for the largest value (128 KiB) and its key, well inside the frame with the envelope around it. */
    static final int MAX_SCAN_BYTES = 160 * 1024;

    private ReadCommands() {}

    /**
     * Serves {@code cmd} from {@code view}. The reads served together (those a read index released at once)
     * share one view: they were all confirmed by then, and opening a transaction per read cost about a
     * third of a get's time on the store.
     */
    public static RaftCmdResponse execute(RaftCmdRequest cmd, Region region, ReadView view) {
        // The store checked this at the door; checked again because a throw here would stop the peer.
        Errorpb.Error problem = CommandValidator.requestsProblem(cmd, Integer.MAX_VALUE);
        if (problem == null && WriteCommands.kindOf(cmd) != WriteCommands.Kind.READ) {
            problem = RegionErrors.invalid(Errorpb.Invalid.Reason.MALFORMED_COMMAND, "not a read command");
        }
        if (problem != null) {
            return RegionErrors.response(cmd.getHeader().getUuid(), problem);
        }
        RaftCmdResponse.Builder out = RaftCmdResponse.newBuilder()
                .setHeader(RaftResponseHeader.newBuilder().setUuid(cmd.getHeader().getUuid()));
        for (Request r : cmd.getRequestsList()) {
            out.addResponses(execute(r, region, view));
        }
        return out.build();
    }

    private static Response execute(Request r, Region region, ReadView view) {
        switch (r.getCmdType()) {
            case Get: {
                byte[] v = view.get(WriteCommands.columnFamily(r.getGet().getCf()), r.getGet().getKey().toByteArray());
                GetResponse.Builder g = GetResponse.newBuilder();
                if (v == null) g.setNotFound(true); else g.setValue(ByteString.copyFrom(v));
                return Response.newBuilder().setCmdType(CmdType.Get).setGet(g).build();
            }
            case Scan: {
                ScanRequest s = r.getScan();
                ByteString start = KeyRanges.compare(s.getStartKey(), region.getStartKey()) < 0
                        ? region.getStartKey() : s.getStartKey();
                ByteString end = KeyRanges.minEnd(s.getEndKey(), region.getEndKey());
                long requested = s.getLimit() == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(s.getLimit());
                ScanResponse.Builder sr = ScanResponse.newBuilder();
                if (end.isEmpty() || KeyRanges.compare(start, end) < 0) {
                    long[] bytes = {0};
                    view.forEach(WriteCommands.columnFamily(s.getCf()), start.toByteArray(), end.toByteArray(), false,
                            (key, value) -> {
                                if (sr.getKvsCount() >= requested) {
                                    return false;
                                }
                                long size = key.length + (long) value.length;
                                if (sr.getKvsCount() >= MAX_SCAN_LIMIT
                                        || (sr.getKvsCount() > 0 && bytes[0] + size > MAX_SCAN_BYTES)) {
                                    sr.setMore(true); // a pair remains that this answer has no room for
                                    return false;
                                }
                                bytes[0] += size;
                                sr.addKvs(KvPair.newBuilder().setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value)));
                                return true;
                            });
                }
                return Response.newBuilder().setCmdType(CmdType.Scan).setScan(sr).build();
            }
            case Snap:
                return Response.newBuilder().setCmdType(CmdType.Snap)
                        .setSnap(SnapResponse.newBuilder().setRegion(region)).build();
            default:
                throw new IllegalArgumentException("not a read request: " + r.getCmdType());
        }
    }
}
