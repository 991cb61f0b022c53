package io.regionkv.scheduler;

/**
 * Hands out ids in increasing order, never one at or above the durable high-water mark: any instance
 * that took over would start at that mark, so an id below it may have been answered already and one at
 * or above it never was. Ids come out of blocks: the mark moves a block ahead at a time, so that most
 * requests need no write. Pure logic; {@link SchedulerActor} does the writing.
 */
final class IdAllocator {

    private final long blockSize;
    private long next;
    private long durableMark;

    /**
     * @param floor     the lowest id ever to hand out (above what bootstrap used)
     * @param loadedMark the mark a previous instance saved (0 if none)
     */
    IdAllocator(long floor, long loadedMark, long blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("id block size must be >= 1, was " + blockSize);
        this.blockSize = blockSize;
        this.next = Math.max(floor, loadedMark);
        // Nothing is durable for this instance until it saves its own mark.
        this.durableMark = this.next;
    }

    /** The first of {@code count} ids, or -1 if they would reach the durable mark (save first). */
    long tryAllocate(int count) {
        if (next + count > durableMark) return -1;
        long first = next;
        next += count;
        return first;
    }

    /** The mark to save so that {@code count} more ids, and a block after them, can be handed out. */
    long markFor(int count) {
        return next + count + blockSize;
    }

    /** Whether ids are running low: the next block should be saved before it is needed. */
    boolean lowWater() {
        return durableMark - next < blockSize / 2;
    }

    void markSaved(long mark) {
        durableMark = Math.max(durableMark, mark);
    }

    long durableMark() {
        return durableMark;
    }
}
