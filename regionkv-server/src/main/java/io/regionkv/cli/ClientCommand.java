package io.regionkv.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.regionkv.api.RegionKvStub;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command against a running cluster over gRPC. It prints what the {@code local} shell prints for the
 * same command; a failure prints {@code ERR <code>: <reason>} on standard error and exits with 1.
 */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    Endpoints endpoints;

    @Spec
    CommandSpec spec;

    /** Makes the call(s) and prints the answer. */
    abstract void run(RegionKvStub stub, PrintWriter out);

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            endpoints.call(stub -> {
                run(stub, out);
                return null;
            });
            out.flush();
            return 0;
        } catch (StatusRuntimeException e) {
            String reason = e.getStatus().getDescription();
            spec.commandLine().getErr().println("ERR " + e.getStatus().getCode() + ": "
                    + (reason == null ? "no description" : reason));
            return 1;
        }
    }

    /** As in the local shell: the UTF-8 bytes of the text, and {@code ""} typed literally for the empty key. */
    static ByteString key(String text) {
        return text.equals("\"\"") ? ByteString.EMPTY : ByteString.copyFromUtf8(text);
    }
}
