package io.regionkv.engine;

import java.nio.file.Path;

/**
 * The kv environment had commits that were not yet synced when the operating system went down (it was
 * restarted since: the boot id differs), so its file may hold a mix of old and new pages. LMDB has no page
 * checksums, so a torn environment could answer wrong data instead of failing; it is not opened.
 *
 * <p>What to do: if the other replicas of this store's regions are healthy, remove the store from its
 * regions, delete its data directory, and add it back as a new store (it is filled by snapshots). If every
 * replica was hit (a whole-cluster power loss), setting {@code regionkv.engine.accept-unsynced-kv-after-reboot
 * = on} opens it anyway, at the risk described above. {@link KvSync#COMMIT} avoids the question.
 */
public final class UnsyncedDataAfterRebootException extends RuntimeException {
    public UnsyncedDataAfterRebootException(Path dir, String markedBoot, String currentBoot) {
        super("the kv environment at " + dir + " had unsynced commits when the operating system stopped (marked in"
                + " boot " + markedBoot + ", now boot " + currentBoot + "); it may be torn and is not opened."
                + " Rebuild this store from its replicas, or set regionkv.engine.accept-unsynced-kv-after-reboot"
                + " = on to open it anyway");
    }
}
