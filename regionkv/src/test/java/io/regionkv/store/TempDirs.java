package io.regionkv.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the temporary data directories of tests whose store runs in an ActorTestKit shut down after the test. */
final class TempDirs {

    private TempDirs() {}

    /** Deletes {@code dir} and everything under it, best effort: what cannot be deleted stays, nothing is thrown. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover directory must not fail the test
        }
    }
}
