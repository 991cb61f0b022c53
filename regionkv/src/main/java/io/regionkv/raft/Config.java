package io.regionkv.raft;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How to start one raft node. Build it with {@link #builder()}; the constructor validates every field
 * and throws {@link IllegalArgumentException} naming the offending one.
 *
 * @param id this node's id; never 0 (0 means "none" on the wire)
 * @param peers initial voters, used only when the storage's {@code ConfState} is empty (tests, bootstrap)
 * @param learners initial learners, under the same rule as {@code peers}
 * @param electionTick ticks without hearing from a leader before a follower campaigns; the actual timeout
 *     is drawn from {@code [electionTick, 2 * electionTick)}
 * @param heartbeatTick ticks between leader heartbeats
 * @param storage the persisted log and state
 * @param applied the index already applied by the state machine (restart point); 0 for none
 * @param maxSizePerMsg byte budget of the entries in one append message (at least one entry is always sent)
 * @param maxInflightMsgs append messages a leader may have outstanding per follower while replicating
 * @param maxCommittedSizePerReady byte budget of the committed entries handed out in one Ready
 * @param preVote run a pre-vote round before bumping the term
 * @param checkQuorum a leader steps down when it has not heard from a quorum for an election timeout;
 *     followers that heard from a leader within the timeout ignore vote requests (the lease)
 * @param readOnlyOption how ReadIndex requests are confirmed
 * @param lazyCommitBroadcast when an append answer moves the commit index, do not send every follower an
 *     append just to carry it: followers learn it with the next append or heartbeat (raft-rs's
 *     {@code skip_bcast_commit}). A committed conf change is still broadcast at once. Off by default
 * @param randomSeed seeds the randomized election timeout; the only source of randomness
 */
public record Config(
        long id,
        List<Long> peers,
        List<Long> learners,
        int electionTick,
        int heartbeatTick,
        Storage storage,
        long applied,
        long maxSizePerMsg,
        int maxInflightMsgs,
        long maxCommittedSizePerReady,
        boolean preVote,
        boolean checkQuorum,
        ReadOnlyOption readOnlyOption,
        boolean lazyCommitBroadcast,
        long randomSeed) {

    public static final int DEFAULT_ELECTION_TICK = 10;
    public static final int DEFAULT_HEARTBEAT_TICK = 1;
    /** Well under Artery's 256 KiB frame, leaving room for the message envelope. */
    public static final long DEFAULT_MAX_SIZE_PER_MSG = 64 * 1024;
    public static final int DEFAULT_MAX_INFLIGHT_MSGS = 256;
    public static final long DEFAULT_MAX_COMMITTED_SIZE_PER_READY = 16L * 1024 * 1024;

    public Config {
        if (id == 0) {
            throw new IllegalArgumentException("id must not be 0 (0 means 'no node')");
        }
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(learners, "learners");
        if (storage == null) {
            throw new IllegalArgumentException("storage is required");
        }
        if (heartbeatTick <= 0) {
            throw new IllegalArgumentException("heartbeatTick must be > 0, got " + heartbeatTick);
        }
        if (electionTick <= heartbeatTick) {
            throw new IllegalArgumentException(
                    "electionTick (" + electionTick + ") must be greater than heartbeatTick (" + heartbeatTick + ")");
        }
        if (applied < 0) {
            throw new IllegalArgumentException("applied must be >= 0, got " + applied);
        }
        if (maxSizePerMsg <= 0) {
            throw new IllegalArgumentException("maxSizePerMsg must be > 0, got " + maxSizePerMsg);
        }
        if (maxInflightMsgs <= 0) {
            throw new IllegalArgumentException("maxInflightMsgs must be > 0, got " + maxInflightMsgs);
        }
        if (maxCommittedSizePerReady <= 0) {
            throw new IllegalArgumentException("maxCommittedSizePerReady must be > 0, got " + maxCommittedSizePerReady);
        }
        if (readOnlyOption == null) {
            throw new IllegalArgumentException("readOnlyOption is required");
        }
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("readOnlyOption LEASE_BASED requires checkQuorum");
        }
        Set<Long> seen = new HashSet<>();
        for (Long p : peers) {
            if (p == null || p == 0) {
                throw new IllegalArgumentException("peers must not contain 0 or null: " + peers);
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("peers contain " + p + " twice: " + peers);
            }
        }
        for (Long l : learners) {
            if (l == null || l == 0) {
                throw new IllegalArgumentException("learners must not contain 0 or null: " + learners);
            }
            if (!seen.add(l)) {
                throw new IllegalArgumentException("learner " + l + " is also a peer or listed twice");
            }
        }
        peers = List.copyOf(peers);
        learners = List.copyOf(learners);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.peers = peers;
        b.learners = learners;
        b.electionTick = electionTick;
        b.heartbeatTick = heartbeatTick;
        b.storage = storage;
        b.applied = applied;
        b.maxSizePerMsg = maxSizePerMsg;
        b.maxInflightMsgs = maxInflightMsgs;
        b.maxCommittedSizePerReady = maxCommittedSizePerReady;
        b.preVote = preVote;
        b.checkQuorum = checkQuorum;
        b.readOnlyOption = readOnlyOption;
        b.lazyCommitBroadcast = lazyCommitBroadcast;
        b.randomSeed = randomSeed;
        return b;
    }

    /** Mutable builder with the defaults documented on {@link Config}. */
    public static final class Builder {
        private long id;
        private List<Long> peers = List.of();
        private List<Long> learners = List.of();
        private int electionTick = DEFAULT_ELECTION_TICK;
        private int heartbeatTick = DEFAULT_HEARTBEAT_TICK;
        private Storage storage;
        private long applied;
        private long maxSizePerMsg = DEFAULT_MAX_SIZE_PER_MSG;
        private int maxInflightMsgs = DEFAULT_MAX_INFLIGHT_MSGS;
        private long maxCommittedSizePerReady = DEFAULT_MAX_COMMITTED_SIZE_PER_READY;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
        private boolean lazyCommitBroadcast;
        private Long randomSeed;

        private Builder() {}

        public Builder id(long id) {
            this.id = id;
            return this;
        }

        public Builder peers(List<Long> peers) {
            this.peers = peers;
            return this;
        }

        public Builder peers(long... peers) {
            this.peers = boxed(peers);
            return this;
        }

        public Builder learners(List<Long> learners) {
            this.learners = learners;
            return this;
        }

        public Builder learners(long... learners) {
            this.learners = boxed(learners);
            return this;
        }

        public Builder electionTick(int electionTick) {
            this.electionTick = electionTick;
            return this;
        }

        public Builder heartbeatTick(int heartbeatTick) {
            this.heartbeatTick = heartbeatTick;
            return this;
        }

        public Builder storage(Storage storage) {
            this.storage = storage;
            return this;
        }

        public Builder applied(long applied) {
            this.applied = applied;
            return this;
        }

        public Builder maxSizePerMsg(long maxSizePerMsg) {
            this.maxSizePerMsg = maxSizePerMsg;
            return this;
        }

        public Builder maxInflightMsgs(int maxInflightMsgs) {
            this.maxInflightMsgs = maxInflightMsgs;
            return this;
        }

        public Builder maxCommittedSizePerReady(long maxCommittedSizePerReady) {
            this.maxCommittedSizePerReady = maxCommittedSizePerReady;
            return this;
        }

        public Builder preVote(boolean preVote) {
            this.preVote = preVote;
            return this;
        }

        public Builder checkQuorum(boolean checkQuorum) {
            this.checkQuorum = checkQuorum;
            return this;
        }

        public Builder readOnlyOption(ReadOnlyOption readOnlyOption) {
            this.readOnlyOption = readOnlyOption;
            return this;
        }

        public Builder lazyCommitBroadcast(boolean lazyCommitBroadcast) {
            this.lazyCommitBroadcast = lazyCommitBroadcast;
            return this;
        }

        /** Defaults to a value derived from the id, so that nodes of one group draw different timeouts. */
        public Builder randomSeed(long randomSeed) {
            this.randomSeed = randomSeed;
            return this;
        }

        public Config build() {
            long seed = randomSeed != null ? randomSeed : id * 0x9E3779B97F4A7C15L;
            return new Config(id, peers, learners, electionTick, heartbeatTick, storage, applied, maxSizePerMsg,
                    maxInflightMsgs, maxCommittedSizePerReady, preVote, checkQuorum, readOnlyOption, lazyCommitBroadcast, seed);
        }

        private static List<Long> boxed(long[] ids) {
            Long[] out = new Long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = ids[i];
            }
            return List.of(out);
        }
    }
}
