package io.regionkv.scheduler;

/**
 * A store's state as the scheduler judges it from the age of its last heartbeat (PD's names). Only an
 * {@code Up} store receives new replicas or leaders; the replicas of a {@code Down} store are replaced.
 */
public enum StoreState {
    /** Heard from recently. */
    Up,
    /** Silent for longer than {@code store-disconnect-time}: maybe a pause, maybe gone; left alone. */
    Disconnected,
    /** Silent for longer than {@code max-store-down-time}: its replicas are rebuilt elsewhere. */
    Down
}
