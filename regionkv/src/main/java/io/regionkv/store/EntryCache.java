package io.regionkv.store;

import io.regionkv.proto.Eraftpb.Entry;
import io.regionkv.raft.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of one region replica that are persisted and not yet applied, kept in memory as they were
 * written, so that raft's committed entries (read back for every apply batch) and the appends to a
 * follower that is barely behind come from here instead of the raft log (TiKV's EntryCache).
 *
 * <p>Why: with many regions every apply batch is small, and reading it back costs a system call and a
 * parse per batch whatever its size. Measured at 12 regions, 256 puts in flight: about 1.3 µs of a put's
 * 45 µs of CPU went to reading committed entries back from the append log (BENCHMARKS.md, "An entry cache
 * for committed entries").
 *
 * <p>What it holds is always a copy of a contiguous run of the log as persisted: entries go in only once
 * their write is durable, an append that overwrites a conflicting tail drops the old tail first, and
 * anything not covered (before the first cached index, after a restart, beyond {@link #MAX_BYTES}) is read
 * from the log as before. It answers a range only when it holds all of it.
 *
 * <p>Owned by the peer's {@link PeerStorage}; not thread-safe.
 */
final class EntryCache {
    /** Per replica. Beyond it the oldest entries go: they are the ones raft will not read again soon. */
    static final long MAX_BYTES = 1 << 20;

    private final ArrayList<Entry> entries = new ArrayList<>();
    /** Index of entries.get(head); entries before head are dropped but not yet removed from the list. */
    private int head;
    private long bytes;

    /** Entries just made durable: a contiguous run that replaces whatever the cache held from its first index on. */
    void persisted(List<Entry> written) {
        if (written.isEmpty()) return;
        long first = written.get(0).getIndex();
        if (isEmpty() || first > lastIndex() + 1 || first <= firstIndex()) {
            clear(); // a gap, or everything overwritten: start again from this run
        } else if (first <= lastIndex()) {
            truncateFrom(first); // raft's conflicting tail, overwritten on disk by this append
        }
        for (Entry e : written) {
            entries.add(e);
            bytes += e.getSerializedSize();
        }
        while (bytes > MAX_BYTES && size() > 1) dropFirst();
        compactIfSparse();
    }

    /** Entries up to and including {@code index} will not be asked for again (applied, or truncated). */
    void dropThrough(long index) {
        while (!isEmpty() && firstIndex() <= index) dropFirst();
        compactIfSparse();
    }

    /** The log was replaced (a snapshot, a restarted log, a failed write of unknown effect). */
    void clear() {
        entries.clear();
        head = 0;
        bytes = 0;
    }

    /**
     * Entries [lo, hi) within {@code maxSize} serialized bytes (at least one), as {@link Storage#limitSize}
     * cuts them; or null when the cache does not hold the whole range.
     */
    List<Entry> slice(long lo, long hi, long maxSize) {
        if (isEmpty() || lo >= hi || lo < firstIndex() || hi - 1 > lastIndex()) return null;
        int from = head + (int) (lo - firstIndex());
        return new ArrayList<>(Storage.limitSize(entries.subList(from, from + (int) (hi - lo)), maxSize));
    }

    boolean isEmpty() {
        return head == entries.size();
    }

    long firstIndex() {
        return entries.get(head).getIndex();
    }

    long lastIndex() {
        return entries.get(entries.size() - 1).getIndex();
    }

    int size() {
        return entries.size() - head;
    }

    long bytes() {
        return bytes;
    }

    private void dropFirst() {
        bytes -= entries.get(head).getSerializedSize();
        entries.set(head, null);
        head++;
    }

    private void truncateFrom(long index) {
        int from = head + (int) (index - firstIndex());
        for (int i = from; i < entries.size(); i++) bytes -= entries.get(i).getSerializedSize();
        entries.subList(from, entries.size()).clear();
    }

    /** Removes dropped slots once they are most of the list, so that dropping stays O(1) amortised. */
    private void compactIfSparse() {
        if (head == entries.size()) {
            clear();
        } else if (head > 64 && head > entries.size() / 2) {
            entries.subList(0, head).clear();
            head = 0;
        }
    }
}
