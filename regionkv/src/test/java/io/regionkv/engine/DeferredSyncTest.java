package io.regionkv.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KvSync#DEFERRED}: the marker that tells a process crash (harmless) from an OS crash (the file may
 * be torn) is on disk before the first unsynced commit, gone after a sync, and checked at open.
 */
class DeferredSyncTest {

    private static final Optional<String> BOOT_A = Optional.of("boot-a");
    private static final Optional<String> BOOT_B = Optional.of("boot-b");

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private Path marker() {
        return dir.resolve(UnsyncedMarker.FILE_NAME);
    }

    private static void put(Engine e, String k, String v) {
        e.commit(new WriteBatch().put(Db.DEFAULT, b(k), b(v)));
    }

    private static String get(Engine e, String k) {
        try (ReadView view = e.readView()) {
            byte[] v = view.get(Db.DEFAULT, b(k));
            return v == null ? null : new String(v, UTF_8);
        }
    }

    @Test
    void theMarkerIsSetBeforeTheFirstUnsyncedCommitAndClearedBySyncAndClose() throws Exception {
        Engine kv = Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_A);
        try {
            assertTrue(kv.syncDeferred());
            assertFalse(Files.exists(marker()), "nothing unsynced yet");
            put(kv, "a", "1");
            assertEquals("boot-a", Files.readString(marker(), US_ASCII));
            put(kv, "b", "2");
            kv.syncIfDirty();
            assertFalse(Files.exists(marker()), "a sync covered every commit");
            kv.syncIfDirty(); // clean already: nothing to do
            put(kv, "c", "3");
            assertTrue(Files.exists(marker()));
        } finally {
            kv.close();
        }
        assertFalse(Files.exists(marker()), "close syncs");
        try (Engine again = Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_B)) {
            assertEquals("3", get(again, "c"), "a clean close opens after a reboot");
        }
    }

    @Test
    void onlyADeferredKvEnvironmentWithABootIdDefers() throws Exception {
        try (Engine raft = Engine.open(EngineKind.RAFT, dir.resolve("raft"), EngineConfig.defaults(), BOOT_A);
                Engine committed = Engine.open(EngineKind.KV, dir.resolve("kv-commit"),
                        EngineConfig.defaults().withKvSync(KvSync.COMMIT), BOOT_A);
                Engine noBootId = Engine.open(EngineKind.KV, dir.resolve("kv-no-boot"), EngineConfig.defaults(),
                        Optional.empty())) {
            for (Engine e : new Engine[] {raft, committed, noBootId}) {
                assertFalse(e.syncDeferred(), e.toString());
            }
            put(committed, "a", "1");
            put(noBootId, "a", "1");
            assertFalse(Files.exists(dir.resolve("kv-commit").resolve(UnsyncedMarker.FILE_NAME)));
            assertFalse(Files.exists(dir.resolve("kv-no-boot").resolve(UnsyncedMarker.FILE_NAME)));
        }
    }

    /** Leaves the environment as a crash would: committed data and the marker of boot {@code boot}. */
    private void crashedWith(String key, String value, String boot) throws Exception {
        try (Engine kv = Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_A)) {
            put(kv, key, value);
        }
        Files.writeString(marker(), boot, US_ASCII);
    }

    @Test
    void aMarkerOfTheRunningBootMeansAProcessCrashAndOpens() throws Exception {
        crashedWith("k", "v", "boot-a");
        try (Engine kv = Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_A)) {
            assertEquals("v", get(kv, "k"));
        }
    }

    @Test
    void aMarkerOfAnotherBootIsRefusedWithATypedErrorAndChangesNothing() throws Exception {
        crashedWith("k", "v", "boot-a");
        byte[] before = Files.readAllBytes(dir.resolve("data.mdb"));
        UnsyncedDataAfterRebootException e = assertThrows(UnsyncedDataAfterRebootException.class,
                () -> Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_B));
        assertTrue(e.getMessage().contains("boot-a") && e.getMessage().contains("boot-b"), e.getMessage());
        assertTrue(e.getMessage().contains("accept-unsynced-kv-after-reboot"), e.getMessage());
        assertEquals("boot-a", Files.readString(marker(), US_ASCII), "the marker stays until someone decides");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("data.mdb")));
    }

    @Test
    void anOperatorMayAcceptTheRiskAndTheNextSyncClearsTheMarker() throws Exception {
        crashedWith("k", "v", "boot-a");
        EngineConfig accept = EngineConfig.defaults().withAcceptUnsyncedAfterReboot(true);
        try (Engine kv = Engine.open(EngineKind.KV, dir, accept, BOOT_B)) {
            assertEquals("v", get(kv, "k"));
            put(kv, "k2", "v2");
            assertEquals("boot-b", Files.readString(marker(), US_ASCII), "marked with the running boot now");
            kv.syncIfDirty();
            assertFalse(Files.exists(marker()));
        }
        try (Engine kv = Engine.open(EngineKind.KV, dir, EngineConfig.defaults(), BOOT_A)) {
            assertEquals("v2", get(kv, "k2"));
        }
    }
}
