package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Metapb.Store;
import io.regionkv.proto.Regionkvpb.ListStoresRequest;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "stores", mixinStandardHelpOptions = true,
        description = "One line per store: its id, state and the cluster address of its node. Then (N stores).")
final class StoresCommand extends ClientCommand {

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        var stores = stub.listStores(ListStoresRequest.getDefaultInstance()).getStoresList();
        for (Store s : stores) {
            out.println("store " + s.getId() + " " + s.getState() + " " + (s.getAddress().isEmpty() ? "?" : s.getAddress()));
        }
        out.println("(" + stores.size() + " stores)");
    }
}
