package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.RemovePeerRequest;
import picocli.CommandLine.Command;

@Command(name = "remove-peer", mixinStandardHelpOptions = true,
        description = {"Remove REGION's replica on STORE (the leader's too: it hands leadership over first).",
            "Prints OK once the change is applied."})
final class RemovePeerCommand extends MembershipCommand {

    @Override
    void change(RegionKvStub stub, long regionId, long storeId) {
        stub.removePeer(RemovePeerRequest.newBuilder().setRegionId(regionId).setStoreId(storeId).build());
    }
}
