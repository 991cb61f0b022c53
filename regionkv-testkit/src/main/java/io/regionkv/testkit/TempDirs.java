package io.regionkv.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the temporary directories of tests whose data outlives a test method (server JVMs, nodes, clusters). */
public final class TempDirs {

    private TempDirs() {}

    /** Deletes {@code dir} and everything under it, best effort: what cannot be deleted stays, nothing is thrown. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover directory must not fail the test
        }
    }
}
