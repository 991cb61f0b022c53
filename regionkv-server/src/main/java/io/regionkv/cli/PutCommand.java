package io.regionkv.cli;

import com.google.protobuf.ByteString;
import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "put", mixinStandardHelpOptions = true,
        description = "Store VALUE (the remaining words, joined by single spaces) under KEY; prints OK.")
final class PutCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "UTF-8 text")
    String key;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "VALUE", description = "UTF-8 text")
    List<String> value;

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        stub.rawPut(RawPutRequest.newBuilder().setKey(key(key))
                .setValue(ByteString.copyFromUtf8(String.join(" ", value))).build());
        out.println("OK");
    }
}
