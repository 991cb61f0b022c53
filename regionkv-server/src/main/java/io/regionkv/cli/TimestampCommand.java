package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.GetTimestampRequest;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "tso", aliases = "timestamp", mixinStandardHelpOptions = true,
        description = {"A timestamp from the scheduler's oracle, greater than any it gave before:",
            "TIMESTAMP physical=MS logical=N (TIMESTAMP = MS << 18 | N)."})
final class TimestampCommand extends ClientCommand {

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        GetTimestampResponse ts = stub.getTimestamp(GetTimestampRequest.newBuilder().setCount(1).build());
        out.println(Long.toUnsignedString(ts.getTimestamp()) + " physical=" + ts.getPhysical() + " logical="
                + ts.getLogical());
    }
}
