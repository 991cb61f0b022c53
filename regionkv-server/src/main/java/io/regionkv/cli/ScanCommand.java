package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.KvPair;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.proto.Regionkvpb.RawScanResponse;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Print 'KEY VALUE' for each START <= KEY < END in key order, then (N keys).",
            "An empty START (\"\" or '\"\"') is the first key, an empty END the last."})
final class ScanCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "START")
    String start;

    @Parameters(index = "1", paramLabel = "END")
    String end;

    @Parameters(index = "2", arity = "0..1", paramLabel = "LIMIT", defaultValue = "100",
            description = "the most keys to print (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        RawScanResponse r = stub.rawScan(RawScanRequest.newBuilder().setStartKey(key(start)).setEndKey(key(end))
                .setLimit(limit).build());
        for (KvPair p : r.getPairsList()) out.println(p.getKey().toStringUtf8() + " " + p.getValue().toStringUtf8());
        out.println("(" + r.getPairsCount() + " keys)");
    }
}
