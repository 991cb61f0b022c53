package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCoalescerTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    /** An append from 1 to {@code to} in term 2: after (prevIndex, prevTerm), entries prevIndex+1..last. */
    private static Message app(long to, long prevIndex, long prevTerm, long last, long commit) {
        Message.Builder b = Message.newBuilder().setMsgType(MessageType.MsgAppend).setFrom(1).setTo(to).setTerm(2)
                .setIndex(prevIndex).setLogTerm(prevTerm).setCommit(commit);
        for (long i = prevIndex + 1; i <= last; i++) {
            b.addEntries(Entry.newBuilder().setIndex(i).setTerm(2).setData(ByteString.copyFromUtf8("v" + i)));
        }
        return b.build();
    }

    private static Message resp(long to, long index, boolean reject) {
        return Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setFrom(2).setTo(to).setTerm(2)
                .setIndex(index).setReject(reject).build();
    }

    private static Message heartbeat(long to) {
        return Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(1).setTo(to).setTerm(2).build();
    }

    private static List<Long> indexes(Message m) {
        List<Long> out = new ArrayList<>();
        for (Entry e : m.getEntriesList()) out.add(e.getIndex());
        return out;
    }

    @Test
    void contiguousAppendsToOnePeerBecomeOne() {
        List<Message> out = MessageCoalescer.coalesce(List.of(app(2, 10, 2, 12, 10), app(2, 12, 2, 15, 11)), NO_LIMIT);
        assertEquals(1, out.size());
        Message m = out.get(0);
        assertEquals(10, m.getIndex());
        assertEquals(2, m.getLogTerm());
        assertEquals(List.of(11L, 12L, 13L, 14L, 15L), indexes(m));
        assertEquals(11, m.getCommit(), "the later commit index wins");
    }

    @Test
    void anEmptyCommitUpdateJoinsThePrecedingAppend() {
        List<Message> out = MessageCoalescer.coalesce(List.of(app(2, 10, 2, 12, 10), app(2, 12, 2, 12, 12)), NO_LIMIT);
        assertEquals(1, out.size());
        assertEquals(List.of(11L, 12L), indexes(out.get(0)));
        assertEquals(12, out.get(0).getCommit());
    }

    @Test
    void eachPeerKeepsItsOwnRunAndOrder() {
        List<Message> in = List.of(app(2, 10, 2, 11, 10), app(3, 10, 2, 11, 10), app(2, 11, 2, 12, 10),
                app(3, 11, 2, 12, 10));
        List<Message> out = MessageCoalescer.coalesce(in, NO_LIMIT);
        assertEquals(2, out.size());
        assertEquals(2, out.get(0).getTo());
        assertEquals(List.of(11L, 12L), indexes(out.get(0)));
        assertEquals(3, out.get(1).getTo());
        assertEquals(List.of(11L, 12L), indexes(out.get(1)));
    }

    @Test
    void appendsThatDoNotContinueEachOtherStaySeparate() {
        // A gap (the second starts at 13, the first ends at 12), a different previous term, another term.
        List<List<Message>> cases = List.of(
                List.of(app(2, 10, 2, 12, 10), app(2, 13, 2, 14, 10)),
                List.of(app(2, 10, 2, 12, 10), app(2, 12, 1, 14, 10)),
                List.of(app(2, 10, 2, 12, 10), app(2, 12, 2, 14, 10).toBuilder().setTerm(3).build()));
        for (List<Message> in : cases) {
            assertEquals(in, MessageCoalescer.coalesce(in, NO_LIMIT), in.toString());
        }
    }

    @Test
    void aMessageInBetweenEndsTheRun() {
        List<Message> in = List.of(app(2, 10, 2, 12, 10), heartbeat(2), app(2, 12, 2, 14, 10));
        assertEquals(in, MessageCoalescer.coalesce(in, NO_LIMIT));
    }

    @Test
    void foldingStopsAtTheSizeCap() {
        Message first = app(2, 10, 2, 12, 10);
        Message second = app(2, 12, 2, 14, 10);
        long firstBytes = 0;
        for (Entry e : first.getEntriesList()) firstBytes += e.getSerializedSize();
        assertEquals(List.of(first, second), MessageCoalescer.coalesce(List.of(first, second), firstBytes + 1));
        assertEquals(1, MessageCoalescer.coalesce(List.of(first, second), firstBytes * 2).size());
    }

    @Test
    void laterSuccessfulAnswersReplaceEarlierOnes() {
        Message later = resp(1, 15, false);
        List<Message> out = MessageCoalescer.coalesce(List.of(resp(1, 12, false), later), NO_LIMIT);
        assertEquals(1, out.size());
        assertSame(later, out.get(0));
    }

    @Test
    void rejectionsAndLowerAnswersAreKept() {
        List<List<Message>> cases = List.of(
                List.of(resp(1, 12, false), resp(1, 15, true)),
                List.of(resp(1, 12, true), resp(1, 15, false)),
                List.of(resp(1, 15, false), resp(1, 12, false)));
        for (List<Message> in : cases) {
            assertEquals(in, MessageCoalescer.coalesce(in, NO_LIMIT), in.toString());
        }
    }

    @Test
    void heartbeatsAreNeverFolded() {
        List<Message> in = List.of(heartbeat(2), heartbeat(2));
        assertEquals(in, MessageCoalescer.coalesce(in, NO_LIMIT));
    }
}
