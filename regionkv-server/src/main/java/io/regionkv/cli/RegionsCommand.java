package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.RegionInfo;
import java.io.PrintWriter;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "regions", mixinStandardHelpOptions = true,
        description = {"One line per region in key order: its range, epoch, peers (peer@store) and leader.",
            "Then (N regions)."})
final class RegionsCommand extends ClientCommand {

    @Override
    void run(RegionKvStub stub, PrintWriter out) {
        var regions = stub.listRegions(ListRegionsRequest.getDefaultInstance()).getRegionsList();
        for (RegionInfo info : regions) out.println(line(info));
        out.println("(" + regions.size() + " regions)");
    }

    static String line(RegionInfo info) {
        Region r = info.getRegion();
        String peers = r.getPeersList().stream().map(p -> p.getId() + "@" + p.getStoreId())
                .collect(Collectors.joining(","));
        Peer leader = info.hasLeader() ? info.getLeader() : null;
        return String.format("region %d [%s, %s) epoch %d/%d peers %s leader=%s", r.getId(),
                r.getStartKey().toStringUtf8(), r.getEndKey().toStringUtf8(), r.getRegionEpoch().getConfVer(),
                r.getRegionEpoch().getVersion(), peers,
                leader == null ? "?" : leader.getId() + "@" + leader.getStoreId());
    }
}
