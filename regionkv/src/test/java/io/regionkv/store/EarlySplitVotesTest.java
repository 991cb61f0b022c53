package io.regionkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.proto.Metapb.RegionEpoch;
import io.regionkv.proto.RaftServerpb.RaftMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EarlySplitVotesTest {

    private static final Region PARENT = Region.newBuilder().setId(1)
            .setRegionEpoch(RegionEpoch.newBuilder().setVersion(4).setConfVer(1)).build();

    private static RaftMessage message(long regionId, long toPeer, MessageType type, long version, long term) {
        return RaftMessage.newBuilder().setRegionId(regionId)
                .setToPeer(Peer.newBuilder().setId(toPeer).setStoreId(2))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(version).setConfVer(1))
                .setMessage(Message.newBuilder().setMsgType(type).setTerm(term)).build();
    }

    @Test
    void keepsAVoteOfANewerRegionUntilItsPeerTakesIt() {
        EarlySplitVotes votes = new EarlySplitVotes();
        RaftMessage vote = message(7, 72, MessageType.MsgRequestPreVote, 5, 6);
        assertTrue(votes.holdIfEarly(vote, PARENT));
        assertEquals(Optional.empty(), votes.take(7, 73), "addressed to another peer of the region");
        assertEquals(Optional.of(vote), votes.take(7, 72));
        assertEquals(Optional.empty(), votes.take(7, 72), "handed over once");
    }

    @Test
    void keepsOnlyVotesOfRegionsNewerThanTheOneCoveringTheRange() {
        EarlySplitVotes votes = new EarlySplitVotes();
        assertFalse(votes.holdIfEarly(message(7, 72, MessageType.MsgAppend, 5, 6), PARENT), "not a vote");
        assertFalse(votes.holdIfEarly(message(7, 72, MessageType.MsgRequestVote, 4, 6), PARENT),
                "not newer than the local region: not a split this store has yet to apply");
        assertEquals(0, votes.size());
    }

    @Test
    void aLaterVoteReplacesTheEarlierAndTheOldestRegionsArePushedOut() {
        EarlySplitVotes votes = new EarlySplitVotes();
        votes.holdIfEarly(message(7, 72, MessageType.MsgRequestPreVote, 5, 6), PARENT);
        RaftMessage later = message(7, 72, MessageType.MsgRequestVote, 5, 7);
        votes.holdIfEarly(later, PARENT);
        assertEquals(1, votes.size());
        for (long region = 100; region < 100 + EarlySplitVotes.MAX_REGIONS - 1; region++) {
            votes.holdIfEarly(message(region, 1, MessageType.MsgRequestVote, 5, 6), PARENT);
        }
        assertEquals(EarlySplitVotes.MAX_REGIONS, votes.size());
        votes.holdIfEarly(message(999, 1, MessageType.MsgRequestVote, 5, 6), PARENT);
        assertEquals(EarlySplitVotes.MAX_REGIONS, votes.size(), "bounded");
        assertEquals(Optional.empty(), votes.take(7, 72), "the oldest region's vote was pushed out");
        assertTrue(votes.take(999, 1).isPresent());
    }
}
