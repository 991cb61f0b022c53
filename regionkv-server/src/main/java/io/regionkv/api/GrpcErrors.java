package io.regionkv.api;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.regionkv.client.RegionKvException;
import io.regionkv.client.RegionKvTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns a failure of the node's {@link io.regionkv.client.RegionKvClient} into the gRPC status a client in
 * any language can act on. The choice follows gRPC's own meaning of the codes:
 * <ul>
 *   <li>bad arguments: {@code INVALID_ARGUMENT} (retrying cannot help);
 *   <li>a deadline passed after a write was sent and not answered: {@code DEADLINE_EXCEEDED}, whose
 *       documented meaning is "may have completed"; read back before retrying;
 *   <li>a deadline passed with every attempt definitely refused: {@code UNAVAILABLE}, safe to retry;
 *   <li>a store refused the command for good: the code of its typed {@code errorpb.Error} (see
 *       {@link #codeOf}), with that error packed as a status detail;
 *   <li>anything else is a bug on our side: {@code INTERNAL}.
 * </ul>
 */
public final class GrpcErrors {

    private GrpcErrors() {}

    public static StatusRuntimeException toStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StatusRuntimeException s) return s;
        if (t instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
        }
        if (t instanceof RegionKvTimeoutException timeout) {
            Status code = timeout.outcomeUnknown() ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
            return code.withDescription(t.getMessage()).asRuntimeException();
        }
        if (t instanceof RegionKvException refused) {
            Status status = codeOf(refused).withDescription(t.getMessage());
            if (refused.storeError().isEmpty()) return status.asRuntimeException();
            com.google.rpc.Status detailed = com.google.rpc.Status.newBuilder()
                    .setCode(status.getCode().value())
                    .setMessage(t.getMessage())
                    .addDetails(Any.pack(refused.storeError().get()))
                    .build();
            return StatusProto.toStatusRuntimeException(detailed);
        }
        return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
    }

    /**
     * The code of a store's final refusal, by its typed kind: input the store found invalid is
     * {@code INVALID_ARGUMENT} like input the client found invalid; a full disk or map and a store that stayed
     * busy past the deadline are {@code RESOURCE_EXHAUSTED} (retry later); the rest (wrong region, epoch,
     * store) is {@code FAILED_PRECONDITION}.
     */
    static Status codeOf(RegionKvException refused) {
        // Busy without a store error: the client's own queue for the store was full; retry later too.
        if (refused instanceof io.regionkv.client.RegionKvBusyException) return Status.RESOURCE_EXHAUSTED;
        if (refused.storeError().isEmpty()) return Status.FAILED_PRECONDITION;
        io.regionkv.proto.Errorpb.Error e = refused.storeError().get();
        if (e.hasInvalid()) return Status.INVALID_ARGUMENT;
        if (e.hasStorageFull() || e.hasServerIsBusy()) return Status.RESOURCE_EXHAUSTED;
        return Status.FAILED_PRECONDITION;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
