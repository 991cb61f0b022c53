package io.regionkv.client;

import io.regionkv.proto.Errorpb;

/**
 * The store kept answering {@code ServerIsBusy} for longer than {@code regionkv.client.busy-budget}: the
 * operation changed nothing and the caller may try again later. It fails this way, early, rather than
 * retrying until its deadline, so that under overload a request learns quickly that it was not served
 * instead of waiting out its whole timeout ({@link #storeError()} holds the store's last refusal, with its
 * backoff hint).
 *
 * <p>The client's own queue for a store can be full too ({@code regionkv.client.max-queued-per-store}): then
 * the operation fails this way at once, nothing was sent, and {@link #storeError()} is empty.
 */
public final class RegionKvBusyException extends RegionKvException {

    private static final long serialVersionUID = 1L;

    /** Refused by the client itself: its queue for the store was full, nothing was sent. */
    public RegionKvBusyException(String message) {
        super(message);
    }

    public RegionKvBusyException(String message, Errorpb.Error busy) {
        super(message, busy);
        if (busy == null || !busy.hasServerIsBusy()) {
            throw new IllegalArgumentException("a busy failure needs the store's ServerIsBusy error, got " + busy);
        }
    }
}
