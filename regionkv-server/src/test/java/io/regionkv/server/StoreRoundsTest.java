package io.regionkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StoreRoundsTest {

    @Test
    void aWindowIsTheDifferenceAndItsRowIsTheRatios() {
        StoreRounds before = new StoreRounds(10, 100, 5, 4, 90);
        StoreRounds after = new StoreRounds(30, 220, 10, 14, 190);
        StoreRounds window = after.since(before);
        assertEquals(new StoreRounds(20, 120, 5, 10, 100), window);
        // 120 entries in 20 writes, 20 writes in 5 commits, 100 entries in 10 apply batches.
        assertEquals(String.format(java.util.Locale.ROOT, "%-6s %9d %14s %14s %14s", "put", 256, "6.0", "4.0", "10.0"),
                window.row("put", 256));
    }

    @Test
    void aWindowWithoutRoundsShowsZeroRatherThanDividingByIt() {
        StoreRounds idle = new StoreRounds(0, 0, 0, 0, 0);
        assertEquals(String.format(java.util.Locale.ROOT, "%-6s %9d %14s %14s %14s", "get", 1, "0.0", "0.0", "0.0"),
                idle.row("get", 1));
    }
}
