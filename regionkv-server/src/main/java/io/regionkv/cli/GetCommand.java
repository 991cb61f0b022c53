package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawGetResponse;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Print the value of KEY, or (nil) when it has none (a linearizable read).")
final class GetCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "UTF-8 text")
    String key;

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        RawGetResponse r = stub.rawGet(RawGetRequest.newBuilder().setKey(key(key)).build());
        out.println(r.getNotFound() ? "(nil)" : r.getValue().toStringUtf8());
    }
}
