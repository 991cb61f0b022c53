package io.regionkv.store;

import io.regionkv.proto.Errorpb;
import io.regionkv.store.apply.WriteCommands;

/**
 * The door of a leader peer's queues: a command is refused {@code ServerIsBusy} when the peer already holds
 * as many of its kind as it may (the count bounds), or when it would wait in the queue longer than it can
 * afford (ExpectedWait: the queue's length over its recent service rate, against the command's deadline).
 * Writes and admin commands share the proposal queue; reads have their own. Runs on the peer's thread.
 */
final class PeerAdmission {

    private final FlowControlSettings flow;
    private final long regionId;
    private final ExpectedWait writes;
    private final ExpectedWait reads;
    /** Commands admitted since the peer started; minus what is pending, that is what has left the queue. */
    private long writesAdmitted;
    private long readsAdmitted;

    PeerAdmission(FlowControlSettings flow, long regionId) {
        this.flow = flow;
        this.regionId = regionId;
        this.writes = newEstimate(flow);
        this.reads = newEstimate(flow);
    }

    private static ExpectedWait newEstimate(FlowControlSettings flow) {
        return new ExpectedWait(flow.queueRateWindow().toNanos(), flow.maxQueueWait().toNanos(), flow.queueWaitMinQueued());
    }

    /** Feeds the rate estimates; called at every command and every tick. */
    void observe(long nowNanos, int pendingWrites, int pendingReads) {
        writes.observe(nowNanos, writesAdmitted - pendingWrites, pendingWrites);
        reads.observe(nowNanos, readsAdmitted - pendingReads, pendingReads);
    }

    /**
     * ServerIsBusy for a command of {@code kind} due by {@code deadlineNanos}, or null when it is admitted
     * (and then counted: the caller must queue it).
     */
    Errorpb.Error admit(WriteCommands.Kind kind, long nowNanos, long deadlineNanos, int pendingWrites, int pendingReads) {
        observe(nowNanos, pendingWrites, pendingReads);
        if (kind == WriteCommands.Kind.ADMIN) {
            // Splits and membership changes are few and relieve load; they join the proposals unrefused.
            writesAdmitted++;
            return null;
        }
        boolean read = kind == WriteCommands.Kind.READ;
        int pending = read ? pendingReads : pendingWrites;
        String what = read ? "reads" : "writes";
        ExpectedWait estimate = read ? reads : writes;
        if (pending >= (read ? flow.maxPendingReadsPerPeer() : flow.maxProposalsPerPeer())) {
            // The hint is how long the full queue takes to drain, once its rate is known: with thousands of
            // clients refused at once, a fixed short hint brought them all back at once, and the store spent
            // its time refusing the same requests again instead of serving.
            long drain = estimate.waitNanos(pending);
            return RegionErrors.serverIsBusy("region " + regionId + " has " + pending + " " + what + " pending",
                    drain < 0 ? flow.busyBackoff().toMillis() : hintMillis(drain));
        }
        long refuseFor = estimate.refuseFor(nowNanos, pending, deadlineNanos);
        if (refuseFor > 0) {
            return RegionErrors.serverIsBusy("region " + regionId + " has " + pending + " " + what + " pending, about "
                    + estimate.waitNanos(pending) / 1_000_000 + " ms of work", hintMillis(refuseFor));
        }
        if (read) readsAdmitted++;
        else writesAdmitted++;
        return null;
    }

    /** A busy hint: at least busy-backoff, at most the max queue wait. */
    private long hintMillis(long nanos) {
        return Math.max(flow.busyBackoff().toMillis(), Math.min(flow.maxQueueWait().toMillis(), nanos / 1_000_000));
    }
}
