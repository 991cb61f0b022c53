package io.regionkv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.regionkv.proto.Eraftpb.ConfChange;
import io.regionkv.proto.Eraftpb.ConfChangeType;
import io.regionkv.proto.Eraftpb.ConfState;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.EntryType;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.Eraftpb.Snapshot;
import io.regionkv.proto.Eraftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Builders and checks shared by the snapshot, membership, transfer, pre-vote, check-quorum, read-index
 * and flow-control tests; they sit beside {@link RaftTestUtil} and {@link Network}, which they leave as
 * they are.
 */
final class RaftFixtures {
    private RaftFixtures() {}

    static Snapshot snapshot(long index, long term, long... voters) {
        return snapshot(index, term, voters, new long[0]);
    }

    static Snapshot snapshot(long index, long term, long[] voters, long[] learners) {
        ConfState.Builder cs = ConfState.newBuilder();
        for (long v : voters) {
            cs.addVoters(v);
        }
        for (long l : learners) {
            cs.addLearners(l);
        }
        return Snapshot.newBuilder()
                .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs))
                .build();
    }

    static ConfChange confChange(ConfChangeType type, long nodeId) {
        return ConfChange.newBuilder().setChangeType(type).setNodeId(nodeId).build();
    }

    static Entry confChangeEntry(ConfChange cc) {
        return Entry.newBuilder().setEntryType(EntryType.EntryConfChange).setData(cc.toByteString()).build();
    }

    /** A local proposal of a membership change, as {@link RawNode#proposeConfChange} builds it. */
    static Message proposeConfChange(long id, ConfChange cc) {
        return RaftTestUtil.msg(id, id, MessageType.MsgPropose).addEntries(confChangeEntry(cc)).build();
    }

    static Message readIndex(long from, long to, String ctx) {
        return RaftTestUtil.msg(from, to, MessageType.MsgReadIndex)
                .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8(ctx)))
                .build();
    }

    /** Asks {@code to} to hand leadership to {@code transferee} (etcd's MsgTransferLeader: from = transferee). */
    static Message transferLeader(long transferee, long to) {
        return RaftTestUtil.msg(transferee, to, MessageType.MsgTransferLeader).build();
    }

    /** Fixes the election timeout a test relies on (etcd's setRandomizedElectionTimeout). */
    static void setRandomizedElectionTimeout(Raft r, int timeout) {
        r.randomizedElectionTimeout = timeout;
    }

    /** Ticks {@code r} {@code n} times. */
    static void tick(Raft r, int n) {
        for (int i = 0; i < n; i++) {
            r.tick();
        }
    }

    /** After a transfer (or its failure): the node's role and leader, and no transfer left pending. */
    static void checkLeaderTransferState(Raft r, StateType state, long lead) {
        assertEquals(state, r.state, "state of node " + r.id);
        assertEquals(lead, r.lead, "leader seen by node " + r.id);
        assertEquals(Raft.NONE, r.leadTransferee, "pending transfer of node " + r.id);
    }

    /** The messages of the given type among {@code msgs}. */
    static List<Message> ofType(List<Message> msgs, MessageType type) {
        List<Message> out = new ArrayList<>();
        for (Message m : msgs) {
            if (m.getMsgType() == type) {
                out.add(m);
            }
        }
        return out;
    }

    static String readCtx(ReadState rs) {
        return new String(rs.requestCtx(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
