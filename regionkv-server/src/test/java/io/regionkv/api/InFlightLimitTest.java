package io.regionkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InFlightLimitTest {

    @Test
    void takesPlacesOnlyWhileAllAreFree() {
        InFlightLimit limit = new InFlightLimit(10);
        assertTrue(limit.tryAcquire(7));
        assertFalse(limit.tryAcquire(4), "a batch that does not fit takes nothing");
        assertEquals(7, limit.inFlight());
        assertTrue(limit.tryAcquire(3));
        assertFalse(limit.tryAcquire(1));
        limit.release(7);
        assertTrue(limit.tryAcquire(7));
        assertEquals(10, limit.inFlight());
    }
}
