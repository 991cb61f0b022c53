package io.regionkv.store;

/**
 * Whether a peer hibernates, and if not, what keeps it awake (see {@link Hibernation}); shown in the
 * store's status so that an operator can tell why an idle store still ticks.
 */
public enum SleepState {
    /** Hibernating: no ticks, no heartbeats. */
    ASLEEP,
    /** A follower (or candidate) its leader has not told to sleep, or that has no leader. */
    FOLLOWER,
    /** A leader with commands, reads, writes, an apply or a snapshot of its own pending. */
    BUSY,
    /** A leader that must measure its region first (never measured as leader, or written to since). */
    SPLIT_CHECK_DUE,
    /** A leader with a follower not yet matched, a learner, a conf change or a leader transfer. */
    REPLICATING,
    /** A leader at rest, counting its idle ticks down before it sleeps. */
    SETTLING,
    /** Hibernation is off ({@code regionkv.raftstore.hibernate-regions = off}): always awake. */
    OFF
}
