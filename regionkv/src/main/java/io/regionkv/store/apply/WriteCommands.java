package io.regionkv.store.apply;

import io.regionkv.engine.Db;
import io.regionkv.engine.WriteBatch;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.DeleteResponse;
import io.regionkv.proto.RaftCmdpb.PutResponse;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import io.regionkv.proto.RaftCmdpb.Response;
import io.regionkv.store.CommandValidator;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the Put and Delete requests of a command into engine operations and their responses. The same
 * code runs twice: when the leader checks a command before proposing it (so that input the engine would
 * refuse never reaches the log, where it would fail on every replica), and when a committed command is
 * applied.
 */
public final class WriteCommands {

    private WriteCommands() {}

    /** What a command holds: only reads, only writes, or nothing usable. */
    public enum Kind { READ, WRITE, ADMIN, INVALID }

    public static Kind kindOf(RaftCmdRequest cmd) {
        if (cmd.hasAdminRequest()) {
            return cmd.getRequestsCount() == 0 ? Kind.ADMIN : Kind.INVALID;
        }
        if (cmd.getRequestsCount() == 0) return Kind.INVALID;
        boolean reads = false;
        boolean writes = false;
        for (Request r : cmd.getRequestsList()) {
            switch (r.getCmdType()) {
                case Get, Scan, Snap -> reads = true;
                case Put, Delete -> writes = true;
                default -> {
                    return Kind.INVALID;
                }
            }
        }
        if (reads && writes) return Kind.INVALID;
        return reads ? Kind.READ : Kind.WRITE;
    }

    /**
     * The column family a request names; the empty name is {@code default}. Callers have passed the command
     * through {@link CommandValidator}, so an unknown name here is a bug, not input.
     */
    static Db columnFamily(String cf) {
        return Db.commandColumnFamily(cf).orElseThrow(() -> new IllegalArgumentException("unknown column family '" + cf + "'"));
    }

    /** Adds the command's writes to {@code batch} and returns one response per request. */
    public static List<Response> addTo(RaftCmdRequest cmd, WriteBatch batch) {
        List<Response> responses = new ArrayList<>(cmd.getRequestsCount());
        for (Request r : cmd.getRequestsList()) {
            if (r.getCmdType() == CmdType.Put) {
                batch.put(columnFamily(r.getPut().getCf()), r.getPut().getKey().toByteArray(),
                        r.getPut().getValue().toByteArray());
                responses.add(Response.newBuilder().setCmdType(CmdType.Put)
                        .setPut(PutResponse.getDefaultInstance()).build());
            } else if (r.getCmdType() == CmdType.Delete) {
                batch.delete(columnFamily(r.getDelete().getCf()), r.getDelete().getKey().toByteArray());
                responses.add(Response.newBuilder().setCmdType(CmdType.Delete)
                        .setDelete(DeleteResponse.getDefaultInstance()).build());
            } else {
                throw new IllegalArgumentException("not a write request: " + r.getCmdType());
            }
        }
        return responses;
    }
}
