package io.regionkv.raft.sim;

/** The last events of a schedule, kept in a ring so a failure can show how it came about. */
final class Trace {
    private final String[] ring;
    private long count;
    private long step;

    Trace(int capacity) {
        ring = new String[capacity];
    }

    void setStep(long step) {
        this.step = step;
    }

    void add(String event) {
        ring[(int) (count % ring.length)] = "#" + step + " " + event;
        count++;
    }

    String dump() {
        StringBuilder sb = new StringBuilder();
        long from = Math.max(0, count - ring.length);
        for (long i = from; i < count; i++) {
            sb.append("  ").append(ring[(int) (i % ring.length)]).append('\n');
        }
        return sb.toString();
    }
}
