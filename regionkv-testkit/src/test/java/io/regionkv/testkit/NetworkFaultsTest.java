package io.regionkv.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkFaultsTest {

    @Test
    void partitionsSeparateGroupsAndHealRestoresAll() {
        NetworkFaults f = new NetworkFaults(1);
        f.partition(List.of(List.of(1L, 2L), List.of(3L)));
        assertTrue(f.canTalk(1, 2));
        assertFalse(f.canTalk(1, 3));
        assertFalse(f.canTalk(3, 2));
        assertFalse(f.canTalk(4, 1), "a store in no group is cut off");
        assertTrue(f.canTalk(3, 3), "a store always reaches itself");
        f.heal();
        assertTrue(f.canTalk(1, 3));
    }

    @Test
    void isolateCutsOneStoreBothWays() {
        NetworkFaults f = new NetworkFaults(1);
        f.isolate(2);
        assertFalse(f.canTalk(1, 2));
        assertFalse(f.canTalk(2, 3));
        assertTrue(f.canTalk(1, 3));
    }

    @Test
    void dropPercentIsRoughlyHonoured() {
        NetworkFaults f = new NetworkFaults(42);
        f.dropPercent(10);
        int dropped = 0;
        for (int i = 0; i < 10_000; i++) if (f.shouldDrop()) dropped++;
        assertTrue(dropped > 800 && dropped < 1200, "dropped " + dropped + " of 10000 at 10%");
        f.dropPercent(0);
        for (int i = 0; i < 1000; i++) assertFalse(f.shouldDrop());
    }

    @Test
    void badPercentIsRefused() {
        NetworkFaults f = new NetworkFaults(1);
        assertThrows(IllegalArgumentException.class, () -> f.dropPercent(101));
        assertThrows(IllegalArgumentException.class, () -> f.duplicatePercent(-1));
        assertThrows(IllegalArgumentException.class, () -> f.maxDelayMillis(-5));
    }

    @Test
    void isolatingExactlyReconnectsTheStoresNoLongerNamed() {
        NetworkFaults faults = new NetworkFaults(1);
        faults.isolateExactly(Set.of(2L));
        assertFalse(faults.canTalk(1, 2));
        assertFalse(faults.canTalk(2, 3));
        assertTrue(faults.canTalk(1, 3));
        faults.isolateExactly(Set.of(3L));
        assertTrue(faults.canTalk(1, 2), "store 2 is back");
        assertFalse(faults.canTalk(3, 1));
        faults.isolateExactly(Set.of());
        assertTrue(faults.canTalk(3, 1));
    }

    @Test
    void aOneWayCutStopsOneDirectionOnlyUntilHealed() {
        NetworkFaults faults = new NetworkFaults(1);
        faults.cutOneWay(List.of(1L), List.of(2L, 3L));
        assertFalse(faults.canTalk(1, 2));
        assertFalse(faults.canTalk(1, 3));
        assertTrue(faults.canTalk(2, 1), "the other direction still passes");
        assertTrue(faults.canTalk(2, 3));
        assertTrue(faults.canTalk(1, 1));
        faults.heal();
        assertTrue(faults.canTalk(1, 2));
    }
}
