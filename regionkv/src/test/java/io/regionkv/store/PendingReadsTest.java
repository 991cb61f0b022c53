package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Read-index contexts: unique within an incarnation of a peer and across its restarts. */
class PendingReadsTest {

    private static final PendingReads.Read READ = new PendingReads.Read(RaftCmdRequest.getDefaultInstance(), null, 0);

    /**
     * A restarted peer keeps its id. If its contexts restarted at the same sequence, the leader could take
     * the new incarnation's first read for the old one's still pending request and answer it with the old
     * read index. Fails when every incarnation starts from the same sequence.
     */
    @Test
    void incarnationsOfOnePeerNeverRepeatAContext() {
        Set<ByteString> firsts = new HashSet<>();
        for (int incarnation = 0; incarnation < 1000; incarnation++) {
            PendingReads reads = new PendingReads(7);
            byte[] ctx = reads.add(READ);
            assertNotNull(ctx);
            assertTrue(firsts.add(ByteString.copyFrom(ctx)), "incarnation " + incarnation + " repeated a context");
        }
    }

    @Test
    void eachBatchOfOneIncarnationGetsANewContext() {
        PendingReads reads = new PendingReads(7, -2); // across the wrap of the sequence too
        Set<ByteString> seen = new HashSet<>();
        for (int batch = 0; batch < 5; batch++) {
            byte[] ctx = reads.add(READ);
            assertNotNull(ctx, "a new batch asks for a read index");
            assertEquals(null, reads.add(READ), "a read in the same batch joins it");
            assertTrue(seen.add(ByteString.copyFrom(ctx)));
            reads.closeBatch();
        }
        assertEquals(10, reads.size());
    }

    /** The count the store checks for flow control follows reads as they are served or dropped. */
    @Test
    void theCountFollowsReadsAsTheyLeave() {
        PendingReads reads = new PendingReads(7, 0);
        byte[] first = reads.add(READ);
        reads.add(READ);
        reads.add(READ);
        reads.closeBatch();
        reads.add(READ);
        reads.add(READ);
        assertEquals(5, reads.size());
        reads.onReadState(new io.regionkv.raft.ReadState(5, first));
        assertEquals(0, reads.servable(4).size());
        assertEquals(3, reads.servable(5).size());
        assertEquals(2, reads.size());
        assertEquals(2, reads.dropOpenBatch().size());
        assertEquals(0, reads.size());
    }
}
