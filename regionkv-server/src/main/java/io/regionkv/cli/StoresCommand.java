package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Metapb.Store;
import io.regionkv.proto.Regionkvpb.ListStoresRequest;
import io.regionkv.proto.Regionkvpb.ListStoresResponse;
import io.regionkv.proto.Regionkvpb.StoreStats;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "stores", mixinStandardHelpOptions = true,
        description = {"One line per store: its id, state and the cluster address of its node; then, once the",
            "scheduler heard from it, its regions, leaders and disk (used/available/capacity bytes).",
            "Then (N stores)."})
final class StoresCommand extends ClientCommand {

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        ListStoresResponse reply = stub.listStores(ListStoresRequest.getDefaultInstance());
        Map<Long, StoreStats> stats = new HashMap<>();
        for (StoreStats s : reply.getStatsList()) stats.put(s.getStoreId(), s);
        for (Store s : reply.getStoresList()) {
            StoreStats st = stats.get(s.getId());
            out.println("store " + s.getId() + " " + s.getState() + " " + (s.getAddress().isEmpty() ? "?" : s.getAddress())
                    + (st == null ? "" : " regions=" + st.getRegionCount() + " leaders=" + st.getLeaderCount()
                            + " disk=" + st.getUsed() + "/" + st.getAvailable() + "/" + st.getCapacity()));
        }
        out.println("(" + reply.getStoresCount() + " stores)");
    }
}
