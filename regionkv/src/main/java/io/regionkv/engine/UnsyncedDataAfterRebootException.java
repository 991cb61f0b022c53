package io.regionkv.engine;

import java.nio.file.Path;

/**
 * The kv environment had commits that were not yet synced when the operating system went down (it was
 * restarted since: the boot id differs), so its file may hold a mix of old and new pages. LMDB has no page
 * checksums, so a torn environment could answer wrong data instead of failing; it is not opened.
 *
 * <p>A store does not stop on it: {@code TornKvRecovery} sets the data aside and has each region refilled
 * from its leader. If every replica was hit (a whole-cluster power loss), setting
 * {@code regionkv.engine.accept-unsynced-kv-after-reboot = on} opens it anyway, at the risk described above.
 * {@link KvSync#COMMIT} avoids the question.
 */
public final class UnsyncedDataAfterRebootException extends RuntimeException {
    public UnsyncedDataAfterRebootException(Path dir, String markedBoot, String currentBoot) {
        super("the kv environment at " + dir + " had unsynced commits when the operating system stopped (marked in"
                + " boot " + markedBoot + ", now boot " + currentBoot + "); it may be torn and is not opened."
                + " Rebuild this store from its replicas, or set regionkv.engine.accept-unsynced-kv-after-reboot"
                + " = on to open it anyway");
    }
}
