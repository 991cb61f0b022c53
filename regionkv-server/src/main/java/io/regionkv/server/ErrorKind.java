package io.regionkv.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.regionkv.client.RegionKvBusyException;
import io.regionkv.client.RegionKvTimeoutException;

/**
 * How a bench operation failed, by type (never by message text): refused because the store was busy, out of
 * its deadline, or anything else. Under overload the first is the answer the system should give, the
 * second is the one it should not (the request waited its whole timeout for nothing).
 */
enum ErrorKind {
    BUSY, TIMED_OUT, OTHER;

    static ErrorKind of(Throwable cause) {
        if (cause instanceof RegionKvBusyException) return BUSY;
        if (cause instanceof RegionKvTimeoutException) return TIMED_OUT;
        if (cause instanceof StatusRuntimeException s) {
            Status.Code code = s.getStatus().getCode();
            // The API answers a busy store (and its own in-flight limit) so; a full disk too, which a bench
            // on a healthy disk does not meet.
            if (code == Status.Code.RESOURCE_EXHAUSTED) return BUSY;
            if (code == Status.Code.DEADLINE_EXCEEDED) return TIMED_OUT;
        }
        return OTHER;
    }
}
