package io.regionkv.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a store's outgoing raft messages while a burst of its peers' work is under way, so that what the
 * burst sends leaves as one batch per destination store instead of one remote message per peer.
 *
 * <p>Why: when the raft-log writer finishes a group commit it answers every peer of the group at once, and
 * each of them then sends (a follower its append response, a leader its next appends). The peers run in
 * parallel on the dispatcher, so without a gate the outbox of a destination flushes after the first of them
 * and most messages leave alone. TiKV gets the batch from its poll round: a poller handles many peers, then
 * sends everything they produced. Here the writer opens a {@link Round} with one party per answer; each peer
 * leaves it once it has acted on its answer (and its Ready, if the answer scheduled one), and when the last
 * open round closes the outboxes flush. Measured with 12 regions: remote raft messages per put fell from
 * 0.52 to 0.15 (BENCHMARKS.md, "A send gate around the writer's answers").
 *
 * <p>The gate is bounded: it holds at most {@link #MAX_HOLD_NANOS} in a row (rounds that overlap under load,
 * or a round whose party stopped with its answer undelivered); past that, the next message sent to a
 * destination takes what waited for it along, as if there were no gate. Raft resends on its ticks, so a held
 * message waits at worst until its destination's next message. A round open longer than {@link #LEAKED_NANOS}
 * is closed by force, with a warning, so that a lost party stops spoiling the store's batching.
 */
public final class SendGate {

    /** Longest a message waits for the gate; a round is normally done within a few hundred microseconds. */
    static final long MAX_HOLD_NANOS = 1_000_000;
    /** A round open this long lost a party (its peer stopped before acting on its answer). */
    static final long LEAKED_NANOS = 1_000_000_000;

    /** A gate that never holds: for transports without outboxes, and writers that answer no peers. */
    public static final SendGate NONE = new SendGate(() -> {}, System::nanoTime, false);

    private static final Logger LOG = LoggerFactory.getLogger(SendGate.class);

    private final Runnable opened;
    private final LongSupplier clock;
    private final boolean enabled;
    private final Set<Round> rounds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openRounds = new AtomicInteger();
    /** When the gate last went from open to held (rounds overlapping keep it held). */
    private volatile long heldSinceNanos;

    /** {@code opened} runs whenever the last open round closes: it flushes what waited. */
    public SendGate(Runnable opened) {
        this(opened, System::nanoTime, true);
    }

    SendGate(Runnable opened, LongSupplier clock, boolean enabled) {
        this.opened = opened;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** Opens a round that closes once {@code parties} have each {@linkplain Round#leave left} it. */
    public Round open(int parties) {
        if (parties < 1) throw new IllegalArgumentException("a round has at least one party, not " + parties);
        if (!enabled) return new Round(this, parties, 0, true);
        long now = clock.getAsLong();
        Round round = new Round(this, parties, now, false);
        rounds.add(round);
        if (openRounds.getAndIncrement() == 0) heldSinceNanos = now;
        return round;
    }

    /**
     * Whether a message sent now should wait for the open rounds. Checked after the message is queued, and
     * the last round's close flushes after it is counted out, so a message is never left behind.
     */
    public boolean holds() {
        if (openRounds.get() == 0) return false;
        long now = clock.getAsLong();
        if (now - heldSinceNanos < MAX_HOLD_NANOS) return true;
        closeLeaked(now);
        return false;
    }

    /** Open rounds (for tests and metrics). */
    public int openRounds() {
        return openRounds.get();
    }

    private void closeLeaked(long now) {
        for (Round round : rounds) {
            if (now - round.openedNanos >= LEAKED_NANOS && round.close()) {
                LOG.warn("a send round stayed open {} ms with {} of its parties missing; closed it",
                        (now - round.openedNanos) / 1_000_000, round.parties.get());
            }
        }
    }

    private void closed(Round round) {
        rounds.remove(round);
        if (openRounds.decrementAndGet() == 0) opened.run();
    }

    /** One burst: its parties leave it once they have sent what their part of the burst sends. */
    public static final class Round {
        /** No round: leaving it does nothing. */
        public static final Round NONE = new Round(null, 1, 0, true);

        private final SendGate gate;
        private final AtomicInteger parties;
        private final long openedNanos;
        private final AtomicBoolean closed;

        private Round(SendGate gate, int parties, long openedNanos, boolean closed) {
            this.gate = gate;
            this.parties = new AtomicInteger(parties);
            this.openedNanos = openedNanos;
            this.closed = new AtomicBoolean(closed);
        }

        /** This party is done; the last one closes the round. Leaving a closed round does nothing. */
        public void leave() {
            if (!closed.get() && parties.decrementAndGet() == 0) close();
        }

        private boolean close() {
            if (!closed.compareAndSet(false, true)) return false;
            gate.closed(this);
            return true;
        }
    }
}
