package io.regionkv.raft;

import io.regionkv.proto.Eraftpb.ConfState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Membership and per-peer replication progress of one group, plus the vote tally of an election.
 * Groups are small (a handful of peers), so progress lives in an array sorted by id: lookups are a
 * short scan without boxing, and iteration order is deterministic.
 */
final class ProgressTracker {
    private final int maxInflight;
    private Progress[] progress = new Progress[0];
    private long[] scratch = new long[0];
    /** Votes received in the current election, by voter id (true = granted). */
    final Map<Long, Boolean> votes = new HashMap<>();

    ProgressTracker(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    Progress get(long id) {
        for (Progress pr : progress) {
            if (pr.id == id) {
                return pr;
            }
        }
        return null;
    }

    /** Every peer, voters and learners, sorted by id. Callers must not modify the array. */
    Progress[] all() {
        return progress;
    }

    boolean isVoter(long id) {
        Progress pr = get(id);
        return pr != null && !pr.isLearner;
    }

    int voterCount() {
        int n = 0;
        for (Progress pr : progress) {
            if (!pr.isLearner) {
                n++;
            }
        }
        return n;
    }

    /** A group of one voter can decide alone. */
    boolean isSingleton() {
        return voterCount() == 1;
    }

    Progress add(long id, long match, long next, boolean learner) {
        if (get(id) != null) {
            throw new IllegalStateException("peer " + id + " already tracked");
        }
        Progress pr = new Progress(id, match, next, maxInflight, learner);
        Progress[] grown = Arrays.copyOf(progress, progress.length + 1);
        int i = grown.length - 1;
        while (i > 0 && grown[i - 1].id > id) {
            grown[i] = grown[i - 1];
            i--;
        }
        grown[i] = pr;
        progress = grown;
        scratch = new long[grown.length];
        return pr;
    }

    void remove(long id) {
        int at = -1;
        for (int i = 0; i < progress.length; i++) {
            if (progress[i].id == id) {
                at = i;
            }
        }
        if (at < 0) {
            return;
        }
        Progress[] shrunk = new Progress[progress.length - 1];
        System.arraycopy(progress, 0, shrunk, 0, at);
        System.arraycopy(progress, at + 1, shrunk, at, shrunk.length - at);
        progress = shrunk;
        votes.remove(id);
    }

    void clear() {
        progress = new Progress[0];
        votes.clear();
    }

    ConfState confState() {
        ConfState.Builder b = ConfState.newBuilder();
        for (Progress pr : progress) {
            if (pr.isLearner) {
                b.addLearners(pr.id);
            } else {
                b.addVoters(pr.id);
            }
        }
        return b.build();
    }

    List<Long> voterIds() {
        List<Long> ids = new ArrayList<>(progress.length);
        for (Progress pr : progress) {
            if (!pr.isLearner) {
                ids.add(pr.id);
            }
        }
        return ids;
    }

    List<Long> learnerIds() {
        List<Long> ids = new ArrayList<>();
        for (Progress pr : progress) {
            if (pr.isLearner) {
                ids.add(pr.id);
            }
        }
        return ids;
    }

    /**
     * The highest index replicated on a majority of voters: the median of their match indexes. With no
     * voters at all, {@code Long.MAX_VALUE}, which never passes the leader's current-term check.
     */
    long committed() {
        long[] m = scratch;
        int n = 0;
        for (Progress pr : progress) {
            if (!pr.isLearner) {
                m[n++] = pr.match;
            }
        }
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        // Insertion sort: n is tiny and this runs on every acknowledgement.
        for (int i = 1; i < n; i++) {
            long v = m[i];
            int j = i - 1;
            while (j >= 0 && m[j] > v) {
                m[j + 1] = m[j];
                j--;
            }
            m[j + 1] = v;
        }
        return m[n - (n / 2 + 1)];
    }

    void resetVotes() {
        votes.clear();
    }

    /** Records the first answer of {@code id} in this election; later answers from it are ignored. */
    void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    VoteResult tallyVotes() {
        return voteResult(votes);
    }

    /** Counts a set of yes/no answers against the voters: only voters count, a majority decides. */
    VoteResult voteResult(Map<Long, Boolean> answers) {
        int voters = 0;
        int granted = 0;
        int missing = 0;
        for (Progress pr : progress) {
            if (pr.isLearner) {
                continue;
            }
            voters++;
            Boolean v = answers.get(pr.id);
            if (v == null) {
                missing++;
            } else if (v) {
                granted++;
            }
        }
        if (voters == 0) {
            return VoteResult.WON;
        }
        int quorum = voters / 2 + 1;
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (granted + missing >= quorum) {
            return VoteResult.PENDING;
        }
        return VoteResult.LOST;
    }

    /** Whether a quorum of voters was heard from recently; {@code self} always counts as active. */
    boolean quorumActive(long self) {
        int voters = 0;
        int active = 0;
        for (Progress pr : progress) {
            if (pr.isLearner) {
                continue;
            }
            voters++;
            if (pr.id == self || pr.recentActive) {
                active++;
            }
        }
        return voters == 0 || active >= voters / 2 + 1;
    }
}
