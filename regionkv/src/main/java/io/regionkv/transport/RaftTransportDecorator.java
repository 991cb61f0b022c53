package io.regionkv.transport;

import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Wraps the raft transport of the store that {@code RegionKV.get(system)} starts. The class is named by
 * {@code regionkv.raft-transport-decorator} and has a public no-argument constructor. It exists so that
 * {@code regionkv server} can put its test-only partition switch at the {@link RaftTransport} seam while the
 * library itself carries no fault injection; tests that start nodes themselves pass their transport to
 * {@code RegionKvNode.start} instead.
 */
public interface RaftTransportDecorator {

    /** Returns the transport the store uses instead of {@code transport} (or {@code transport} itself). */
    RaftTransport decorate(ActorSystem<?> system, RaftTransport transport);

    /** The setting that names the decorator; empty for none. */
    String SETTING = "regionkv.raft-transport-decorator";

    /**
     * {@code transport} wrapped by the decorator that {@code system}'s configuration names, or unchanged.
     *
     * @throws IllegalStateException if the named class cannot be loaded or made (a configuration error at
     *     node start, before any actor exists)
     */
    static RaftTransport apply(ActorSystem<?> system, RaftTransport transport) {
        String name = system.settings().config().getString(SETTING);
        if (name.isBlank()) return transport;
        RaftTransportDecorator decorator;
        try {
            decorator = Class.forName(name.trim(), true, RaftTransportDecorator.class.getClassLoader())
                    .asSubclass(RaftTransportDecorator.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(SETTING + " = " + name + ": not a RaftTransportDecorator with a public"
                    + " no-argument constructor (" + e + ")", e);
        }
        return decorator.decorate(system, transport);
    }
}
