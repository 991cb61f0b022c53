package io.regionkv.testkit;

import io.regionkv.transport.RaftTransport;
import io.regionkv.transport.RaftTransportDecorator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Puts a {@link FaultInjectingTransport} under the store that {@code RegionKV.get(system)} starts on a
 * {@link TestCluster} node. The library makes the decorator by reflection from
 * {@code regionkv.raft-transport-decorator}, so the cluster's shared {@link NetworkFaults} cannot be
 * handed over as an argument: each cluster registers it here under a fresh name, which its nodes carry in
 * {@code regionkv.testkit.faults}, and removes it when it closes. Starting the store through
 * {@code RegionKV.get} rather than beside it is what lets the application on the node use the very same
 * store.
 */
public final class FaultSeam implements RaftTransportDecorator {

    static final String FAULTS_SETTING = "regionkv.testkit.faults";

    private static final Map<String, NetworkFaults> REGISTERED = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    /** Made by the library through {@code regionkv.raft-transport-decorator}. */
    public FaultSeam() {}

    static String register(NetworkFaults faults) {
        String name = "faults-" + NEXT.incrementAndGet();
        REGISTERED.put(name, faults);
        return name;
    }

    static void unregister(String name) {
        REGISTERED.remove(name);
    }

    @Override
    public RaftTransport decorate(ActorSystem<?> system, RaftTransport transport) {
        String name = system.settings().config().getString(FAULTS_SETTING);
        NetworkFaults faults = REGISTERED.get(name);
        if (faults == null) {
            throw new IllegalStateException(FAULTS_SETTING + " = " + name + " names no open TestCluster");
        }
        return new FaultInjectingTransport(transport, faults, system.scheduler(), system.executionContext());
    }
}
