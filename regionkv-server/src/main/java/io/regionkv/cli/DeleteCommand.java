package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.RawDeleteRequest;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Remove KEY; prints OK (also when KEY had no value).")
final class DeleteCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "UTF-8 text")
    String key;

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        stub.rawDelete(RawDeleteRequest.newBuilder().setKey(key(key)).build());
        out.println("OK");
    }
}
