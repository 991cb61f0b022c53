package io.regionkv.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.proto.RaftCmdpb.CmdType;
import io.regionkv.proto.RaftCmdpb.PutRequest;
import io.regionkv.proto.RaftCmdpb.RaftCmdRequest;
import io.regionkv.proto.RaftCmdpb.Request;
import org.junit.jupiter.api.Test;

/** The generated wire formats survive a round trip, and garbage is refused with a typed error. */
class ProtoRoundTripTest {

    @Test
    void raftMessageWithEntriesRoundTrips() throws Exception {
        Message m = Message.newBuilder().setMsgType(MessageType.MsgAppend).setFrom(1).setTo(2).setTerm(3)
                .setLogTerm(2).setIndex(10).setCommit(9)
                .addEntries(Entry.newBuilder().setTerm(3).setIndex(11).setData(ByteString.copyFromUtf8("x")))
                .build();
        assertEquals(m, Message.parseFrom(m.toByteArray()));
    }

    @Test
    void commandWithPutRoundTrips() throws Exception {
        RaftCmdRequest cmd = RaftCmdRequest.newBuilder()
                .addRequests(Request.newBuilder().setCmdType(CmdType.Put).setPut(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v"))))
                .build();
        assertEquals(cmd, RaftCmdRequest.parseFrom(cmd.toByteArray()));
    }

    @Test
    void malformedBytesAreRefused() {
        byte[] garbage = {(byte) 0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f};
        assertThrows(InvalidProtocolBufferException.class, () -> RaftCmdRequest.parseFrom(garbage));
    }
}
