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
 *   <li>a store refused the command for good: {@code FAILED_PRECONDITION}, with the store's typed
 *       {@code errorpb.Error} packed as a status detail;
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
            Status status = Status.FAILED_PRECONDITION.withDescription(t.getMessage());
            if (refused.regionError().isEmpty()) return status.asRuntimeException();
            com.google.rpc.Status detailed = com.google.rpc.Status.newBuilder()
                    .setCode(status.getCode().value())
                    .setMessage(t.getMessage())
                    .addDetails(Any.pack(refused.regionError().get()))
                    .build();
            return StatusProto.toStatusRuntimeException(detailed);
        }
        return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
