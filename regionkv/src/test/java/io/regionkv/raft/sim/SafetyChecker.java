package io.regionkv.raft.sim;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.raft.sim.SafetyViolation.Property;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Remembers what a simulation has observed across its whole history and throws {@link SafetyViolation}
 * as soon as an observation contradicts one of Raft's safety properties (Raft paper, figure 3):
 *
 * <ul>
 *   <li><b>Election safety</b>: at most one leader per term, over all time.
 *   <li><b>Leader append-only</b>: during its term a leader's log only grows.
 *   <li><b>Log matching</b>, checked incrementally: an entry is identified by (index, term); the first time
 *       one is seen, its content and the term of the entry before it are recorded, and every later sighting
 *       in any log or append message must agree. By induction on the index this is the log matching
 *       property for every log that only holds sighted entries (the simulation sights every entry a node
 *       persists). {@link #checkLogMatching} checks the property literally over a set of logs.
 *   <li><b>Leader completeness</b>: an entry committed by the leader of term c is in the log of every
 *       leader of a later term. A commit is seen at some node in some term x &gt;= c, so it is checked
 *       against the leaders of terms above x: never a false alarm, and the leader that commits is usually
 *       the first to report it.
 *   <li><b>State machine safety</b>: at each index every node applies the same entry, that entry is the
 *       committed one, and the digest of the whole applied history agrees (so snapshots carry the same
 *       state as applying the entries would).
 *   <li><b>Leader commit rule</b>: a leader advances its commit index only to an entry of its own term, which
 *       is what keeps the histories of the paper's figure 8 from losing a committed entry.
 *   <li><b>Linearizable reads</b> (coarse): a ReadIndex answer is at least every commit index known
 *       before the read was asked.
 * </ul>
 */
final class SafetyChecker {

    private record EntryId(long index, long term) {}

    /** First sighting of an entry: its content and the term of its predecessor, and where it was seen. */
    private record EntryFact(long prevTerm, Entry entry, String where) {}

    private static final class Committed {
        final Entry entry;
        /** Lowest term in which a node reported this entry committed: it was committed in this term or before. */
        long commitTerm;
        final long node;

        Committed(Entry entry, long commitTerm, long node) {
            this.entry = entry;
            this.commitTerm = commitTerm;
            this.node = node;
        }
    }

    /** A leader's log: as first seen during its term, then extended by what it appended. */
    private static final class LeaderLog {
        final long node;
        final long term;
        final long base;
        long last;
        long[] terms;

        LeaderLog(long node, long term, LogView view) {
            this.node = node;
            this.term = term;
            this.base = view.baseIndex();
            this.last = view.lastIndex();
            this.terms = new long[(int) (last - base + 1) + 16];
            for (long i = base; i <= last; i++) {
                terms[(int) (i - base)] = view.term(i);
            }
        }

        long termAt(long i) {
            return terms[(int) (i - base)];
        }

        void append(long t) {
            int at = (int) (last + 1 - base);
            if (at == terms.length) {
                terms = Arrays.copyOf(terms, terms.length * 2);
            }
            terms[at] = t;
            last++;
        }
    }

    private final TreeMap<Long, Long> leaderByTerm = new TreeMap<>();
    private final Map<EntryId, EntryFact> facts = new HashMap<>();
    private final TreeMap<Long, Committed> committed = new TreeMap<>();
    private final TreeMap<Long, LeaderLog> leaderLogs = new TreeMap<>();
    private final Map<Long, Entry> applied = new HashMap<>();
    private final Map<Long, Long> digests = new HashMap<>();
    private long maxCommitted;

    /** The highest index anyone reported committed so far. */
    long maxCommitted() {
        return maxCommitted;
    }

    int leaderTerms() {
        return leaderByTerm.size();
    }

    // ---------------------------------------------------------------- election safety

    /** Node {@code node} is in term {@code term}, as leader or not. */
    void observeRole(long node, long term, boolean leader) {
        if (!leader) {
            return;
        }
        Long other = leaderByTerm.putIfAbsent(term, node);
        if (other != null && other != node) {
            throw new SafetyViolation(Property.ELECTION_SAFETY,
                    "nodes " + other + " and " + node + " were both leader in term " + term);
        }
    }

    // ---------------------------------------------------------------- log matching

    /**
     * Entries seen in a log or an append message, following ({@code prevIndex}, {@code prevTerm}).
     *
     * @param where who holds them, for the report
     */
    void observeEntries(long prevIndex, long prevTerm, List<Entry> ents, String where) {
        long expectIndex = prevIndex + 1;
        long prev = prevTerm;
        for (int k = 0, n = ents.size(); k < n; k++) {
            Entry e = ents.get(k);
            if (e.getIndex() != expectIndex) {
                throw new SafetyViolation(Property.LOG_MATCHING,
                        where + ": entries are not contiguous, expected index " + expectIndex + " got " + e.getIndex());
            }
            if (e.getTerm() < prev) {
                throw new SafetyViolation(Property.LOG_MATCHING,
                        where + ": term goes down from " + prev + " to " + e.getTerm() + " at index " + e.getIndex());
            }
            EntryId id = new EntryId(e.getIndex(), e.getTerm());
            EntryFact fact = facts.get(id);
            if (fact == null) {
                facts.put(id, new EntryFact(prev, e, where));
            } else if (fact.prevTerm != prev || !fact.entry.equals(e)) {
                throw new SafetyViolation(Property.LOG_MATCHING, where + ": entry " + e.getIndex() + "/" + e.getTerm()
                        + " " + TraceFormat.entry(e) + " after term " + prev + ", but " + fact.where + " had "
                        + TraceFormat.entry(fact.entry) + " after term " + fact.prevTerm);
            }
            prev = e.getTerm();
            expectIndex++;
        }
    }

    /**
     * Checks the log matching property literally: for every pair of logs, if both hold an entry with the
     * same index and term, they hold the same entries up to there (as far as neither was compacted).
     */
    void checkLogMatching(Map<Long, ? extends LogView> logs) {
        Long[] ids = logs.keySet().toArray(new Long[0]);
        for (int x = 0; x < ids.length; x++) {
            for (int y = x + 1; y < ids.length; y++) {
                LogView a = logs.get(ids[x]);
                LogView b = logs.get(ids[y]);
                long lo = Math.max(a.baseIndex(), b.baseIndex());
                long h = Math.min(a.lastIndex(), b.lastIndex());
                while (h > lo && a.term(h) != b.term(h)) {
                    h--;
                }
                if (h <= lo) {
                    continue;
                }
                List<Entry> ea = a.entries(lo + 1, h + 1);
                List<Entry> eb = b.entries(lo + 1, h + 1);
                for (int k = 0; k < ea.size(); k++) {
                    if (!ea.get(k).equals(eb.get(k))) {
                        throw new SafetyViolation(Property.LOG_MATCHING, "logs of nodes " + ids[x] + " and " + ids[y]
                                + " share entry " + h + "/" + a.term(h) + " but differ at index " + (lo + 1 + k) + ": "
                                + TraceFormat.entry(ea.get(k)) + " vs " + TraceFormat.entry(eb.get(k)));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- leader append-only and completeness

    /**
     * A node that is leader in {@code term} handed out a Ready. {@code view} is its whole log now;
     * {@code newEntries} are the Ready's entries (the part of the log that changed since its previous Ready).
     */
    void observeLeaderLog(long node, long term, LogView view, boolean installedSnapshot, List<Entry> newEntries) {
        observeRole(node, term, true);
        LeaderLog rec = leaderLogs.get(term);
        if (rec == null) {
            rec = new LeaderLog(node, term, view);
            leaderLogs.put(term, rec);
            for (Committed c : committed.values()) {
                if (c.commitTerm < term) {
                    checkContains(rec, c);
                }
            }
            return;
        }
        if (installedSnapshot) {
            throw new SafetyViolation(Property.LEADER_APPEND_ONLY,
                    "leader " + node + " of term " + term + " replaced its log by a snapshot");
        }
        for (Entry e : newEntries) {
            long i = e.getIndex();
            if (i <= rec.last) {
                if (i > rec.base && rec.termAt(i) != e.getTerm()) {
                    throw new SafetyViolation(Property.LEADER_APPEND_ONLY, "leader " + node + " of term " + term
                            + " overwrote entry " + i + "/" + rec.termAt(i) + " with " + i + "/" + e.getTerm());
                }
            } else if (i == rec.last + 1) {
                if (e.getTerm() != term) {
                    throw new SafetyViolation(Property.LEADER_APPEND_ONLY, "leader " + node + " of term " + term
                            + " appended entry " + i + " of term " + e.getTerm());
                }
                rec.append(e.getTerm());
            } else {
                throw new SafetyViolation(Property.LEADER_APPEND_ONLY, "leader " + node + " of term " + term
                        + " appended entry " + i + " after its last entry " + rec.last);
            }
        }
        long last = view.lastIndex();
        if (last < rec.last || (rec.last > view.baseIndex() && view.term(rec.last) != rec.termAt(rec.last))) {
            throw new SafetyViolation(Property.LEADER_APPEND_ONLY, "leader " + node + " of term " + term
                    + " lost entries: its log ended at " + rec.last + ", now at " + last);
        }
    }

    private void checkContains(LeaderLog rec, Committed c) {
        long i = c.entry.getIndex();
        if (i < rec.base || (i == rec.base && rec.termAt(i) == c.entry.getTerm())) {
            return; // compacted into the leader's snapshot: nothing left to compare
        }
        if (i > rec.last || rec.termAt(i) != c.entry.getTerm()) {
            String has = i > rec.last ? "its log ends at " + rec.last : "it has term " + rec.termAt(i) + " there";
            throw new SafetyViolation(Property.LEADER_COMPLETENESS, "entry " + i + "/" + c.entry.getTerm()
                    + " was committed (reported by node " + c.node + " in term " + c.commitTerm + ") but leader "
                    + rec.node + " of later term " + rec.term + " lacks it: " + has);
        }
    }

    // ---------------------------------------------------------------- commit and apply

    /**
     * Leader {@code node} of {@code term} moved its commit index to {@code index}, an entry of term
     * {@code entryTerm}. A leader may only count replicas of an entry of its own term (Raft, section 5.4.2);
     * committing an older entry by counting is the bug of the paper's figure 8, which would lose the entry
     * only later, if ever, in a history the simulation is unlikely to hit.
     */
    void observeLeaderCommit(long node, long term, long index, long entryTerm) {
        if (entryTerm != term) {
            throw new SafetyViolation(Property.LEADER_COMMIT_RULE, "leader " + node + " of term " + term
                    + " advanced its commit index to " + index + ", an entry of term " + entryTerm);
        }
    }

    /** Node {@code node}, in term {@code observerTerm}, reports entry {@code e} committed. */
    void observeCommitted(long node, long observerTerm, Entry e) {
        long i = e.getIndex();
        Committed c = committed.get(i);
        long checkAbove;
        long checkUpTo;
        if (c == null) {
            c = new Committed(e, observerTerm, node);
            committed.put(i, c);
            checkAbove = observerTerm;
            checkUpTo = Long.MAX_VALUE;
        } else {
            if (!c.entry.equals(e)) {
                throw new SafetyViolation(Property.STATE_MACHINE_SAFETY, "two different entries committed at index "
                        + i + ": node " + c.node + " had " + TraceFormat.entry(c.entry) + ", node " + node + " has "
                        + TraceFormat.entry(e));
            }
            if (observerTerm >= c.commitTerm) {
                return;
            }
            checkAbove = observerTerm;
            checkUpTo = c.commitTerm;
            c.commitTerm = observerTerm;
        }
        maxCommitted = Math.max(maxCommitted, i);
        for (LeaderLog rec : leaderLogs.subMap(checkAbove, false, checkUpTo, true).values()) {
            checkContains(rec, c);
        }
    }

    /** Node {@code node} applied {@code e}; its state machine digest is now {@code digestAfter}. */
    void observeApplied(long node, Entry e, long digestAfter) {
        long i = e.getIndex();
        Entry prev = applied.putIfAbsent(i, e);
        if (prev != null && !prev.equals(e)) {
            throw new SafetyViolation(Property.STATE_MACHINE_SAFETY, "node " + node + " applied " + TraceFormat.entry(e)
                    + " at index " + i + " where another node applied " + TraceFormat.entry(prev));
        }
        Committed c = committed.get(i);
        if (c == null || !c.entry.equals(e)) {
            throw new SafetyViolation(Property.STATE_MACHINE_SAFETY, "node " + node + " applied " + TraceFormat.entry(e)
                    + " at index " + i + " but the committed entry there is "
                    + (c == null ? "unknown (never reported committed)" : TraceFormat.entry(c.entry)));
        }
        observeDigest(node, i, digestAfter);
    }

    /** Node {@code node}'s state machine is at {@code index} with digest {@code digest} (applied or restored). */
    void observeDigest(long node, long index, long digest) {
        Long prev = digests.putIfAbsent(index, digest);
        if (prev != null && prev != digest) {
            throw new SafetyViolation(Property.STATE_MACHINE_SAFETY, "node " + node + " state at index " + index
                    + " has digest " + Long.toHexString(digest) + ", another node had " + Long.toHexString(prev));
        }
    }

    /** Node {@code node} installed a snapshot of the state at {@code index}/{@code term}. */
    void observeSnapshotInstalled(long node, long index, long term, long digest) {
        Committed c = committed.get(index);
        if (c != null && c.entry.getTerm() != term) {
            throw new SafetyViolation(Property.STATE_MACHINE_SAFETY, "node " + node + " installed a snapshot at "
                    + index + "/" + term + " but the committed entry there has term " + c.entry.getTerm());
        }
        observeDigest(node, index, digest);
    }

    // ---------------------------------------------------------------- reads

    /** A read asked when {@code minIndex} was known committed was answered with read index {@code index}. */
    void observeReadIndex(long node, String request, long minIndex, long index) {
        if (index < minIndex) {
            throw new SafetyViolation(Property.LINEARIZABLE_READ, "read " + request + " answered at node " + node
                    + " with index " + index + ", but index " + minIndex + " was committed before it was asked");
        }
    }
}
