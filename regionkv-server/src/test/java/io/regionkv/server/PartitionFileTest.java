package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test-only partition switch: what the file says, and how the isolated set follows it. */
class PartitionFileTest {

    @TempDir
    Path dir;

    @Test
    void theFileNamesTheStoresToCutAndAMissingOrEmptyFileCutsNone() throws Exception {
        Path file = dir.resolve("partition");
        assertEquals(Set.of(), PartitionFile.read(file));
        Files.writeString(file, " 2\n3  x 5 ");
        assertEquals(Set.of(2L, 3L, 5L), PartitionFile.read(file), "a word that is no store id is skipped");
        Files.writeString(file, "");
        assertEquals(Set.of(), PartitionFile.read(file));
    }

    @Test
    void cuttingExactlyReconnectsTheStoresNoLongerNamed() {
        IsolatingTransport cut = new IsolatingTransport(null);
        cut.cutExactly(Set.of(2L));
        assertFalse(cut.canTalk(1, 2));
        assertFalse(cut.canTalk(2, 3));
        assertTrue(cut.canTalk(1, 3));
        assertTrue(cut.canTalk(2, 2), "a store always reaches itself");
        cut.cutExactly(Set.of(3L));
        assertTrue(cut.canTalk(1, 2), "store 2 is back");
        assertFalse(cut.canTalk(3, 1));
        cut.cutExactly(Set.of());
        assertTrue(cut.canTalk(3, 1));
    }
}
