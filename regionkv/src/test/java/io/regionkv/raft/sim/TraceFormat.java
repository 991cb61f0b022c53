package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.proto.Eraftpb.HardState;
import io.regionkv.proto.Eraftpb.Message;
import io.regionkv.proto.Eraftpb.MessageType;
import io.regionkv.raft.Ready;

/** One-line descriptions of raft messages, Readies and entries for traces and failure reports. */
final class TraceFormat {
    private TraceFormat() {}

    static String entry(Entry e) {
        String data = e.getData().size() <= 24 ? e.getData().toStringUtf8() : e.getData().size() + " bytes";
        return e.getIndex() + "/" + e.getTerm() + (e.getEntryTypeValue() == 0 ? "" : " " + e.getEntryType())
                + " '" + data + "'";
    }

    static String ready(Ready rd) {
        StringBuilder sb = new StringBuilder();
        if (rd.softState() != null) {
            sb.append(" soft=").append(rd.softState().state()).append("/lead").append(rd.softState().lead());
        }
        if (rd.hardState() != null) {
            HardState hs = rd.hardState();
            sb.append(" hard=t").append(hs.getTerm()).append("/v").append(hs.getVote()).append("/c").append(hs.getCommit());
        }
        if (rd.snapshot() != null) {
            sb.append(" snap=").append(rd.snapshot().getMetadata().getIndex()).append('/')
                    .append(rd.snapshot().getMetadata().getTerm());
        }
        if (!rd.entries().isEmpty()) {
            Entry f = rd.entries().get(0);
            Entry l = rd.entries().get(rd.entries().size() - 1);
            sb.append(" ents=").append(f.getIndex()).append('/').append(f.getTerm()).append("..").append(l.getIndex())
                    .append('/').append(l.getTerm());
        }
        if (!rd.committedEntries().isEmpty()) {
            sb.append(" committed=").append(rd.committedEntries().get(0).getIndex()).append("..")
                    .append(rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
        }
        if (!rd.readStates().isEmpty()) {
            sb.append(" reads=").append(rd.readStates().size());
        }
        sb.append(" msgs=").append(rd.messages().size()).append('+').append(rd.persistedMessages().size());
        return sb.toString();
    }

    static String message(Message m) {
        MessageType t = m.getMsgType();
        StringBuilder sb = new StringBuilder(t.name().substring(3)).append(' ').append(m.getFrom()).append("->")
                .append(m.getTo()).append(" t").append(m.getTerm());
        switch (t) {
            case MsgAppend -> {
                sb.append(" prev=").append(m.getIndex()).append('/').append(m.getLogTerm());
                if (m.getEntriesCount() > 0) {
                    sb.append(" ents=").append(m.getEntries(0).getIndex()).append("..")
                            .append(m.getEntries(m.getEntriesCount() - 1).getIndex()).append('/')
                            .append(m.getEntries(m.getEntriesCount() - 1).getTerm());
                }
                sb.append(" c=").append(m.getCommit());
            }
            case MsgAppendResponse -> {
                sb.append(" idx=").append(m.getIndex());
                if (m.getReject()) {
                    sb.append(" REJECT hint=").append(m.getRejectHint()).append('/').append(m.getLogTerm());
                }
            }
            case MsgRequestVote, MsgRequestPreVote -> sb.append(" last=").append(m.getIndex()).append('/')
                    .append(m.getLogTerm());
            case MsgRequestVoteResponse, MsgRequestPreVoteResponse -> sb.append(m.getReject() ? " REJECT" : " GRANT");
            case MsgHeartbeat -> sb.append(" c=").append(m.getCommit());
            case MsgSnapshot -> sb.append(" snap=").append(m.getSnapshot().getMetadata().getIndex()).append('/')
                    .append(m.getSnapshot().getMetadata().getTerm()).append(" conf=")
                    .append(m.getSnapshot().getMetadata().getConfState().getVotersList());
            case MsgReadIndexResp -> sb.append(" idx=").append(m.getIndex());
            case MsgPropose -> sb.append(" n=").append(m.getEntriesCount());
            default -> {}
        }
        if (!m.getContext().isEmpty()) {
            sb.append(" ctx=").append(m.getContext().toStringUtf8());
        }
        return sb.toString();
    }
}
