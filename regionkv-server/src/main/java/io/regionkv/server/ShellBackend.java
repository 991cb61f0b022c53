package io.regionkv.server;

import com.google.protobuf.ByteString;
import io.regionkv.client.KvPair;
import io.regionkv.scheduler.SchedulerReply;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What {@link LocalShell} drives: the data operations have the shape of
 * {@link io.regionkv.client.RegionKvClient}'s, so that the real backend is a thin adapter, plus a
 * human-readable status. Arguments are as the shell parsed them; validating them is the backend's job
 * (throwing {@link IllegalArgumentException} or failing the stage), and the shell prints the reason.
 */
public interface ShellBackend {

    CompletionStage<Void> put(ByteString key, ByteString value);

    CompletionStage<Optional<ByteString>> get(ByteString key);

    CompletionStage<Void> delete(ByteString key);

    /** Up to {@code limit} pairs with {@code start <= key < end}; an empty start or end is unbounded. */
    CompletionStage<List<KvPair>> scan(ByteString start, ByteString end, int limit);

    /** A few lines about the cluster (nodes, regions, leaders), printed as is. */
    String status();

    /** Every region in key order, with its leader when known (the scheduler's directory). */
    CompletionStage<List<SchedulerReply.RegionInfo>> regions();

    /** Splits the region holding {@code key} at {@code key}. */
    CompletionStage<Void> split(ByteString key);

    /** Every store the scheduler heard from, in id order, with its state and region and leader counts. */
    CompletionStage<List<SchedulerReply.StoreInfo>> stores();

    /** Moves the leadership of region {@code regionId} to its replica on store {@code storeId}. */
    CompletionStage<Void> transferLeader(long regionId, long storeId);

    /** Adds a replica of region {@code regionId} on store {@code storeId} (a learner, promoted once caught up). */
    CompletionStage<Void> addPeer(long regionId, long storeId);

    /** Removes region {@code regionId}'s replica on store {@code storeId}. */
    CompletionStage<Void> removePeer(long regionId, long storeId);
}
