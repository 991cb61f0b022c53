package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import picocli.CommandLine.Command;

@Command(name = "add-peer", mixinStandardHelpOptions = true,
        description = {"Add a replica of REGION on STORE. It joins as a learner (then this prints OK)",
            "and becomes a voter once it has caught up with the leader."})
final class AddPeerCommand extends MembershipCommand {

    @Override
    void change(RegionKvStub stub, long regionId, long storeId) {
        stub.addPeer(AddPeerRequest.newBuilder().setRegionId(regionId).setStoreId(storeId).build());
    }
}
