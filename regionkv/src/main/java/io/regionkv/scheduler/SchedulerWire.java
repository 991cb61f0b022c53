package io.regionkv.scheduler;

/**
 * Marker for what crosses the network to or from the scheduler singleton, which runs on whichever node
 * the cluster chose. Bound in reference.conf to {@link SchedulerSerializer} (protobuf).
 */
public interface SchedulerWire {}
