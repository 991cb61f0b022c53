package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.Snapshot;
import java.util.List;

/**
 * Everything a raft node asks the application to do, taken with {@link RawNode#ready()} and confirmed
 * with {@link RawNode#advance(Ready)}. In order: send {@code messages} (any time), persist
 * {@code snapshot}, {@code entries} and {@code hardState} atomically, then send
 * {@code persistedMessages}, then apply {@code snapshot} and {@code committedEntries} (apply may finish
 * later: report it with {@link RawNode#advanceApply}).
 *
 * @param softState leader and role, or null when unchanged since the previous Ready
 * @param hardState term, vote and commit to persist, or null when unchanged
 * @param readStates answers to ReadIndex requests: serve each once applied up to its index
 * @param entries entries to persist (they may overwrite a conflicting tail already on disk)
 * @param snapshot a snapshot from the leader to persist and apply, or null
 * @param committedEntries entries to apply, in order
 * @param messages messages that may be sent before anything is persisted (the leader's)
 * @param persistedMessages messages that must wait until this Ready's entries and hard state are persisted
 *     (votes, append acknowledgements and everything else a non-leader sends)
 */
public record Ready(
        SoftState softState,
        HardState hardState,
        List<ReadState> readStates,
        List<Entry> entries,
        Snapshot snapshot,
        List<Entry> committedEntries,
        List<Message> messages,
        List<Message> persistedMessages) {

    /** Whether the application must fsync before sending {@code persistedMessages}. */
    public boolean mustPersist() {
        return hardState != null || !entries.isEmpty() || snapshot != null;
    }

    public boolean isEmpty() {
        return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty() && snapshot == null
                && committedEntries.isEmpty() && messages.isEmpty() && persistedMessages.isEmpty();
    }
}
