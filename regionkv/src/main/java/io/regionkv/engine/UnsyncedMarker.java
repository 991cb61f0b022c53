package io.regionkv.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A file that says "this environment has commits the disk may not have", with the boot id of the running
 * kernel in it. Why it is needed: with {@link KvSync#DEFERRED} an LMDB commit lands in the page cache, and
 * the kernel writes dirty pages back in its own order, meta pages included. After a process crash that is
 * harmless (the page cache is intact, so the file is exactly what LMDB committed). After an OS crash or a
 * power loss the file may mix pages of different commits, which LMDB cannot detect.
 *
 * <p>So the marker is written and fsynced before the first unsynced commit, and removed after a sync
 * covered every commit. Opening finds it only after a crash: with the same boot id the crash was the
 * process's own and the environment is whole; with another boot id the OS went down with unsynced pages.
 */
public final class UnsyncedMarker {

    public static final String FILE_NAME = "UNSYNCED";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /**
     * A system property that stands in for the kernel's boot id, read at each open: a test simulates a
     * reboot of one store by opening it again under another value. Never set in production.
     */
    public static final String BOOT_ID_PROPERTY = "regionkv.test.boot-id";

    private final Path dir;
    private final Path file;
    private final String bootId;

    UnsyncedMarker(Path dir, String bootId) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.bootId = bootId;
    }

    /** The running kernel's boot id, if this OS tells it (Linux does). */
    static Optional<String> currentBootId() {
        String override = System.getProperty(BOOT_ID_PROPERTY);
        if (override != null && !override.isBlank()) return Optional.of(override.trim());
        try {
            return Optional.of(Files.readString(BOOT_ID, StandardCharsets.US_ASCII).trim()).filter(s -> !s.isEmpty());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The boot id in a marker left by an earlier run, if there is one. */
    Optional<String> leftBehind() {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    String bootId() {
        return bootId;
    }

    /** Writes the marker durably: its bytes and its directory entry are on disk when this returns. */
    void set() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bootId.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        syncDir();
    }

    /** Removes the marker durably. Call only after a sync that covered every commit. */
    void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
        syncDir();
    }

    private void syncDir() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync directory " + dir, e);
        }
    }
}
