package io.regionkv.store;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the raft messages of one Ready that say the same thing to the same peer in several pieces.
 *
 * <p>The raft core sends an append to each follower per proposal and per commit advance, and a follower
 * answers each one. While a Ready is being persisted those pile up, so under load one Ready carries many
 * small appends to each follower, each costing a message, a step and an answer. Two cases fold:
 * <ul>
 *   <li>an append that continues the previous append to the same peer (it starts at that one's last
 *   entry, in the same term) joins it: the entries are concatenated and the later commit index is kept,
 *   which is what the follower would have done with the two in order. A fold stops at {@code maxBytes}
 *   of entries, the cap raft keeps per append;</li>
 *   <li>a successful append answer after another successful one to the same peer in the same term, with
 *   an index at least as high, replaces it: the leader only learns "matches up to index", and the higher
 *   one implies the lower.</li>
 * </ul>
 * Only adjacent messages of one peer fold (anything else in between, such as a heartbeat, ends the run), so
 * each peer still receives its messages in the order raft produced them.
 */
final class MessageCoalescer {

    private MessageCoalescer() {}

    static List<Message> coalesce(List<Message> messages, long maxBytes) {
        if (messages.size() < 2) return messages;
        List<Message> out = new ArrayList<>(messages.size());
        Map<Long, Integer> lastTo = new HashMap<>();
        for (Message m : messages) {
            Integer at = lastTo.get(m.getTo());
            if (at != null) {
                Message prev = out.get(at);
                Message merged = fold(prev, m, maxBytes);
                if (merged != null) {
                    out.set(at, merged);
                    continue;
                }
            }
            lastTo.put(m.getTo(), out.size());
            out.add(m);
        }
        return out;
    }

    /** {@code prev} and {@code next} as one message, or null when they do not fold. */
    static Message fold(Message prev, Message next, long maxBytes) {
        if (prev.getMsgType() != next.getMsgType() || prev.getTerm() != next.getTerm()
                || prev.getFrom() != next.getFrom()) {
            return null;
        }
        if (prev.getMsgType() == MessageType.MsgAppend) {
            return foldAppends(prev, next, maxBytes);
        }
        if (prev.getMsgType() == MessageType.MsgAppendResponse && !prev.getReject() && !next.getReject()
                && next.getIndex() >= prev.getIndex()) {
            return next;
        }
        return null;
    }

    private static Message foldAppends(Message prev, Message next, long maxBytes) {
        long lastIndex = prev.getIndex();
        long lastTerm = prev.getLogTerm();
        long bytes = 0;
        for (Entry e : prev.getEntriesList()) {
            lastIndex = e.getIndex();
            lastTerm = e.getTerm();
            bytes += e.getSerializedSize();
        }
        if (next.getIndex() != lastIndex || next.getLogTerm() != lastTerm || next.hasSnapshot() || prev.hasSnapshot()) {
            return null;
        }
        for (Entry e : next.getEntriesList()) bytes += e.getSerializedSize();
        if (bytes > maxBytes && next.getEntriesCount() > 0) return null;
        return prev.toBuilder().addAllEntries(next.getEntriesList()).setCommit(Math.max(prev.getCommit(), next.getCommit()))
                .build();
    }
}
