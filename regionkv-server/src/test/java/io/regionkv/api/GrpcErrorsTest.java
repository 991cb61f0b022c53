package io.regionkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.regionkv.client.RegionKvException;
import io.regionkv.client.RegionKvTimeoutException;
import io.regionkv.proto.Errorpb;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

    @Test
    void badInputIsInvalidArgument() {
        StatusRuntimeException s = GrpcErrors.toStatus(new IllegalArgumentException("key must not be empty"));
        assertEquals(Code.INVALID_ARGUMENT, s.getStatus().getCode());
        assertEquals("key must not be empty", s.getStatus().getDescription());
    }

    @Test
    void aTimeoutSaysWhetherTheWriteMayHaveHappened() {
        // Sent and unanswered: gRPC's DEADLINE_EXCEEDED means "may have completed".
        assertEquals(Code.DEADLINE_EXCEEDED, GrpcErrors.toStatus(
                new CompletionException(new RegionKvTimeoutException("put", "k", "no answer", true))).getStatus().getCode());
        // Every attempt refused: nothing happened, safe to retry anywhere.
        assertEquals(Code.UNAVAILABLE, GrpcErrors.toStatus(
                new RegionKvTimeoutException("get", "k", "NotLeader", false)).getStatus().getCode());
    }

    @Test
    void aStoreRefusalCarriesItsTypedErrorAsADetail() throws Exception {
        Errorpb.Error error = Errorpb.Error.newBuilder().setMessage("region 7 is busy")
                .setServerIsBusy(Errorpb.ServerIsBusy.newBuilder().setReason("busy").setBackoffMs(5)).build();
        StatusRuntimeException s = GrpcErrors.toStatus(new CompletionException(
                new RegionKvException("put k refused by store 2: region 7 is busy", error)));
        assertEquals(Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        Status detailed = StatusProto.fromThrowable(s);
        assertEquals(1, detailed.getDetailsCount());
        assertEquals(error, detailed.getDetails(0).unpack(Errorpb.Error.class));

        StatusRuntimeException plain = GrpcErrors.toStatus(new RegionKvException("no typed error"));
        assertEquals(Code.FAILED_PRECONDITION, plain.getStatus().getCode());
        assertEquals(0, StatusProto.fromThrowable(plain).getDetailsCount());
    }

    @Test
    void aFullClientQueueIsResourceExhaustedLikeABusyStore() {
        StatusRuntimeException s = GrpcErrors.toStatus(new CompletionException(
                new io.regionkv.client.RegionKvBusyException("put k not served: the client's queue is full")));
        assertEquals(Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        assertEquals(0, StatusProto.fromThrowable(s).getDetailsCount());
    }

    @Test
    void aStoreRefusalsCodeFollowsItsTypedKind() {
        assertEquals(Code.INVALID_ARGUMENT, codeOf(Errorpb.Error.newBuilder()
                .setInvalid(Errorpb.Invalid.newBuilder().setReason(Errorpb.Invalid.Reason.UNKNOWN_COLUMN_FAMILY))));
        assertEquals(Code.RESOURCE_EXHAUSTED, codeOf(Errorpb.Error.newBuilder()
                .setStorageFull(Errorpb.StorageFull.getDefaultInstance())));
        assertEquals(Code.FAILED_PRECONDITION, codeOf(Errorpb.Error.newBuilder()
                .setRegionNotFound(Errorpb.RegionNotFound.newBuilder().setRegionId(7))));
    }

    private static Code codeOf(Errorpb.Error.Builder error) {
        return GrpcErrors.toStatus(new RegionKvException("refused", error.setMessage("refused").build()))
                .getStatus().getCode();
    }

    @Test
    void anythingElseIsInternal() {
        StatusRuntimeException s = GrpcErrors.toStatus(new IllegalStateException("bug"));
        assertEquals(Code.INTERNAL, s.getStatus().getCode());
        assertTrue(s.getStatus().getDescription().contains("bug"));
    }
}
