package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Held writes leave the batch at their deadline, the others stay in arrival order. */
class ProposalBatchTest {

    private static ProposalBatch.Pending write(String name, long deadline) {
        return new ProposalBatch.Pending(ByteString.copyFromUtf8(name), null, ByteString.copyFromUtf8(name), deadline);
    }

    @Test
    void drainExpiredTakesExactlyTheWritesWhoseDeadlinePassed() {
        ProposalBatch b = new ProposalBatch();
        b.add(write("a", 100));
        b.add(write("b", 300));
        b.add(write("c", 200));
        b.add(write("d", 400));

        assertEquals(List.of(), b.drainExpired(99));
        assertEquals(4, b.size());

        List<ProposalBatch.Pending> expired = b.drainExpired(200); // a deadline equal to now has passed
        assertEquals(List.of("a", "c"), expired.stream().map(p -> p.data().toStringUtf8()).toList());
        assertEquals(List.of("b", "d"), b.drain().stream().map(p -> p.data().toStringUtf8()).toList());
        assertEquals(0, b.size());
    }

    @Test
    void deadlinesCompareAcrossTheNanoTimeWrap() {
        ProposalBatch b = new ProposalBatch();
        b.add(write("late", Long.MIN_VALUE + 10)); // just past the wrap: still ahead of MAX_VALUE - 10
        assertEquals(List.of(), b.drainExpired(Long.MAX_VALUE - 10));
        assertEquals(1, b.drainExpired(Long.MIN_VALUE + 10).size());
    }
}
