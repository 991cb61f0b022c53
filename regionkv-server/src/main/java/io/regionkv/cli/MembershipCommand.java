package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import java.io.PrintWriter;
import picocli.CommandLine.Parameters;

/**
 * A membership change of one region on one store, named by their ids (as {@code regions} and
 * {@code stores} print them). Ids are checked before any call: 0 or a negative id is bad usage (exit 2),
 * while a well-formed id the cluster does not know is the cluster's refusal (exit 1).
 */
abstract class MembershipCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "REGION", description = "the region's id")
    long regionId;

    @Parameters(index = "1", paramLabel = "STORE", description = "the store's id")
    long storeId;

    /** Makes the change; a refusal is thrown as the call's gRPC status. */
    abstract void change(RegionKvStub stub, long regionId, long storeId);

    @Override
    final void run(RegionKvStub stub, PrintWriter out) {
        Checks checks = new Checks(spec.commandLine());
        checks.positive("REGION", regionId);
        checks.positive("STORE", storeId);
        change(stub, regionId, storeId);
        out.println("OK");
    }
}
