package io.regionkv.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void byteOrderIsNumericOrder() {
        long[] indexes = {0, 1, 5, 255, 256, 65_535, 65_536, 1L << 40, Long.MAX_VALUE};
        for (int i = 1; i < indexes.length; i++) {
            assertTrue(Arrays.compareUnsigned(Keys.raftLogKey(3, indexes[i - 1]), Keys.raftLogKey(3, indexes[i])) < 0,
                    "index " + indexes[i - 1] + " before " + indexes[i]);
            assertTrue(Arrays.compareUnsigned(Keys.regionStateKey(indexes[i - 1]), Keys.regionStateKey(indexes[i])) < 0);
        }
        assertTrue(Arrays.compareUnsigned(Keys.raftLogKey(3, Long.MAX_VALUE), Keys.raftLogKey(4, 0)) < 0,
                "every key of region 3 sorts before region 4");
    }

    @Test
    void raftLogSpanHoldsExactlyTheRegionsLog() {
        KeySpan span = Keys.raftLogSpan(9);
        assertTrue(Arrays.compareUnsigned(span.start(), Keys.raftLogKey(9, 0)) <= 0);
        assertTrue(Arrays.compareUnsigned(Keys.raftLogKey(9, -1L), span.end()) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.raftStateKey(9), span.end()) >= 0, "raft state is outside the log span");
        assertTrue(Arrays.compareUnsigned(Keys.raftLogKey(8, -1L), span.start()) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.raftLogKey(10, 0), span.end()) > 0);
    }

    @Test
    void decodesWhatItEncodes() {
        assertEquals(1234L, Keys.raftLogIndex(Keys.raftLogKey(7, 1234)));
        assertEquals(77L, Keys.regionIdOfRegionStateKey(Keys.regionStateKey(77)));
        assertThrows(CorruptedDataException.class, () -> Keys.raftLogIndex(Keys.raftStateKey(7)));
        assertThrows(CorruptedDataException.class, () -> Keys.regionIdOfRegionStateKey(Keys.applyStateKey(7)));
        KeySpan regions = Keys.regionStateSpan();
        assertTrue(Arrays.compareUnsigned(regions.start(), Keys.regionStateKey(0)) <= 0);
        assertTrue(Arrays.compareUnsigned(Keys.regionStateKey(-1L), regions.end()) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.applyStateKey(-1L), regions.start()) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.storeIdentKey(), regions.start()) < 0);
    }
}
