package io.regionkv.store;

import io.regionkv.keys.KeyRanges;
import com.google.protobuf.ByteString;
import io.regionkv.engine.KeyValue;
import io.regionkv.engine.ReadView;
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

/**
 * Serves the reads of commands from one LMDB read transaction: a consistent view that does not block
 * the writers. Runs on the peer's thread; read transactions are short and allowed anywhere.
 */
final class ReadCommands {

    /** Scans with no limit are capped here so an answer stays far below Artery's frame size. */
    static final int MAX_SCAN_LIMIT = 10_000;

    private ReadCommands() {}

    /**
     * Serves {@code cmd} from {@code view}. The reads served together (those a read index released at once)
     * share one view: they were all confirmed by then, and opening a transaction per read cost about a
     * third of a get's time on the store.
     */
    static RaftCmdResponse execute(RaftCmdRequest cmd, Region region, ReadView view) {
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
                int limit = s.getLimit() == 0 || s.getLimit() > MAX_SCAN_LIMIT ? MAX_SCAN_LIMIT : s.getLimit();
                ScanResponse.Builder sr = ScanResponse.newBuilder();
                if (end.isEmpty() || KeyRanges.compare(start, end) < 0) {
                    for (KeyValue kv : view.scan(WriteCommands.columnFamily(s.getCf()), start.toByteArray(),
                            end.toByteArray(), limit)) {
                        sr.addKvs(KvPair.newBuilder().setKey(ByteString.copyFrom(kv.key()))
                                .setValue(ByteString.copyFrom(kv.value())));
                    }
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
