package io.regionkv.store;

import org.apache.pekko.actor.typed.DispatcherSelector;

/** The dispatcher for actors that block on disk (defined in reference.conf). */
public final class IoDispatcher {
    public static final String CONFIG_PATH = "regionkv.io-dispatcher";
    public static final DispatcherSelector SELECTOR = DispatcherSelector.fromConfig(CONFIG_PATH);

    private IoDispatcher() {}
}
