package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.SplitRequest;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "split", mixinStandardHelpOptions = true,
        description = {"Split the region holding KEY at KEY (region and peer ids from the scheduler).",
            "Prints OK once the split is applied; a KEY that already starts a region is refused."})
final class SplitCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "UTF-8 text: the first key of the new region")
    String key;

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        stub.split(SplitRequest.newBuilder().setSplitKey(key(key)).build());
        out.println("OK");
    }
}
