package io.regionkv.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which registration of a store the directory keeps (moved here from the fault-injection tests). */
class StoreDirectoryTest {

    @Test
    void newestRegistrationWinsWhenAStoreRestarts() {
        assertTrue("new".equals(StoreDirectory.Subscriber.choose(Set.of("old", "new"), Set.of("old"), "old")));
        assertTrue("old".equals(StoreDirectory.Subscriber.choose(Set.of("old"), Set.of("old"), "old")));
        assertTrue(StoreDirectory.Subscriber.choose(Set.<String>of(), Set.of("old"), "old") == null);
    }
}
