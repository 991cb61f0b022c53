package io.regionkv.cli;

import io.regionkv.api.RegionKvStub;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import picocli.CommandLine.Command;

@Command(name = "transfer-leader", mixinStandardHelpOptions = true,
        description = {"Ask the leader of REGION to hand leadership to the region's peer on STORE.",
            "Prints OK once the leader accepted; the new leader shows in `regions` within an election's time."})
final class TransferLeaderCommand extends MembershipCommand {

    @Override
    void change(RegionKvStub stub, long regionId, long storeId) {
        stub.transferLeader(TransferLeaderRequest.newBuilder().setRegionId(regionId).setStoreId(storeId).build());
    }
}
